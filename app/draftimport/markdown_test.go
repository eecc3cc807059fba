package draftimport

import (
	"slices"
	"testing"
)

func TestReadMarkdown(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		title    string
		blocks   []Block
		warnings []string
	}{
		{
			name: "title, chapters, lists and emphasis",
			src: "# Declaración de Chile\n\n" +
				"## Preámbulo\n\n" +
				"Los Gobiernos **reunidos** en *Santiago*,\n" +
				"recordando la Declaración de Cartagena,\n\n" +
				"## Capítulo I. Protección\n\n" +
				"### Asilo\n\n" +
				"- Fortalecer los sistemas de `asilo`;\n" +
				"- Garantizar la [no devolución](https://example.org/nd).\n\n" +
				"1. Promover la documentación.\n" +
				"   Con registro civil.\n\n" +
				"> Cita de la sociedad civil.\n",
			title: "Declaración de Chile",
			blocks: []Block{
				{Heading: true, Level: 1, Text: "Preámbulo"},
				{Text: "Los Gobiernos reunidos en Santiago, recordando la Declaración de Cartagena,", Part: PartPreambular},
				{Heading: true, Level: 1, Text: "Capítulo I. Protección"},
				{Heading: true, Level: 2, Text: "Asilo"},
				{Text: "Fortalecer los sistemas de asilo;"},
				{Text: "Garantizar la no devolución."},
				{Text: "Promover la documentación. Con registro civil."},
				{Text: "Cita de la sociedad civil."},
			},
		},
		{
			name: "setext headings, several top-level headings: no title",
			src: "Protección\n==========\n\nPárrafo uno.\n\nApatridia\n---------\n\nPárrafo dos.\n\n" +
				"Soluciones\n==========\n\nPárrafo tres.\n",
			blocks: []Block{
				{Heading: true, Level: 1, Text: "Protección"},
				{Text: "Párrafo uno."},
				{Heading: true, Level: 2, Text: "Apatridia"},
				{Text: "Párrafo dos."},
				{Heading: true, Level: 1, Text: "Soluciones"},
				{Text: "Párrafo tres."},
			},
		},
		{
			name: "PP/OP labels, escapes and entities",
			src: "## Preamble\n\nPP1 Recalling the *Cartagena* Declaration,\n\n" +
				"## Operative part\n\nOP1\\. Decide &amp; commit &#8212; together;\n\n" +
				"OP 2 bis. Request\\* the secretariat;\n",
			blocks: []Block{
				{Heading: true, Level: 1, Text: "Preamble"},
				{Number: "PP1", Part: PartPreambular, Text: "Recalling the Cartagena Declaration,"},
				{Heading: true, Level: 1, Text: "Operative part"},
				{Number: "OP1", Part: PartOperative, Text: "Decide & commit — together;"},
				{Number: "OP2 bis", Part: PartOperative, Text: "Request* the secretariat;"},
			},
		},
		{
			name: "indented paragraph kept, HTML and rules left out",
			src: "# Plano de Ação\n\n    Um parágrafo recuado\n    em duas linhas.\n\n---\n\n" +
				"<div class=\"nota\">\nnota interna\n</div>\n\nÚltimo parágrafo com <br> quebra.\n",
			title: "Plano de Ação",
			blocks: []Block{
				{Text: "Um parágrafo recuado em duas linhas."},
				{Text: "Último parágrafo com quebra."},
			},
			warnings: []string{WarnHTML},
		},
		{
			name: "decomposed accents become composed",
			src:  "## Re\u0301fugie\u0301s\n\nLes E\u0301tats s\u2019engagent.\n",
			blocks: []Block{
				{Heading: true, Level: 1, Text: "Réfugiés"},
				{Text: "Les États s’engagent."},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := ReadBytes("borrador.md", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if o.Format != FormatMarkdown {
				t.Errorf("format %q", o.Format)
			}
			if o.Title != tt.title {
				t.Errorf("title %q, want %q", o.Title, tt.title)
			}
			checkBlocks(t, o.Blocks, tt.blocks)
			if got := warningCodes(o.Warnings); !slices.Equal(got, tt.warnings) {
				t.Errorf("warnings %v, want %v", got, tt.warnings)
			}
		})
	}
}

func TestDetectFormat(t *testing.T) {
	tests := []struct {
		file, src string
		want      Format
	}{
		{"borrador.md", "Sin encabezados.", FormatMarkdown},
		{"borrador.markdown", "Texto.", FormatMarkdown},
		{"borrador.txt", "# Parece Markdown\n\nPero es texto.", FormatText},
		{"borrador", "# Capítulo\n\nTexto.", FormatMarkdown},
		{"borrador.draft", "#hashtag no es encabezado\n\nTexto.", FormatText},
		{"", "Texto sin nombre.", FormatText},
	}
	for _, tt := range tests {
		o, err := ReadBytes(tt.file, []byte(tt.src))
		if err != nil {
			t.Errorf("%s: %v", tt.file, err)
			continue
		}
		if o.Format != tt.want {
			t.Errorf("%q: format %q, want %q", tt.file, o.Format, tt.want)
		}
	}
}
