package draftimport

import (
	"errors"
	"slices"
	"testing"
)

func TestReadText(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		title    string
		blocks   []Block
		warnings []string
	}{
		{
			name: "caps title, chapter words, joined lines",
			src: "DECLARACIÓN Y PLAN DE ACCIÓN DE CHILE\n\n" +
				"Capítulo I. Protección internacional\n\n" +
				"Fortalecer los sistemas nacionales\nde asilo.\n\n" +
				"Sección 1.2 Apatridia\n" +
				"Erradicar la apatridia.\n\n" +
				"II. Soluciones duraderas\n\n" +
				"Impulsar la integración local.\n",
			title: "DECLARACIÓN Y PLAN DE ACCIÓN DE CHILE",
			blocks: []Block{
				{Heading: true, Level: 1, Text: "Capítulo I. Protección internacional"},
				{Text: "Fortalecer los sistemas nacionales de asilo."},
				{Heading: true, Level: 2, Text: "Sección 1.2 Apatridia"},
				{Text: "Erradicar la apatridia."},
				{Heading: true, Level: 1, Number: "II", Text: "Soluciones duraderas"},
				{Text: "Impulsar la integración local."},
			},
		},
		{
			name: "no blank line: one paragraph per line (Save as text)",
			src: "PREÁMBULO\r\nLos Gobiernos reunidos en Santiago,\r\nReconociendo la solidaridad regional,\r\n" +
				"PARTE DISPOSITIVA\r\nDeclaran:\r\nOP1 Fortalecer el asilo;\r\n",
			blocks: []Block{
				{Heading: true, Level: 1, Text: "PREÁMBULO"},
				{Text: "Los Gobiernos reunidos en Santiago,", Part: PartPreambular},
				{Text: "Reconociendo la solidaridad regional,", Part: PartPreambular},
				{Heading: true, Level: 1, Text: "PARTE DISPOSITIVA"},
				{Text: "Declaran:", Part: PartOperative},
				{Number: "OP1", Part: PartOperative, Text: "Fortalecer el asilo;"},
			},
		},
		{
			name: "labels and bullets start paragraphs; figures stay",
			src: "Introducción general\n\n" +
				"1. Primer párrafo que sigue\nen otra línea.\n2) Segundo párrafo.\n(3) Tercero.\n4.- Cuarto.\n" +
				"- Viñeta uno\n• Viñeta dos\n\n" +
				"1.000 personas cruzaron en 2024.\n\n" +
				"2024 fue un año difícil.\n\n" +
				"C) Garantizar la protección de la niñez,\n",
			blocks: []Block{
				{Text: "Introducción general"},
				{Number: "1", Text: "Primer párrafo que sigue en otra línea."},
				{Number: "2", Text: "Segundo párrafo."},
				{Number: "3", Text: "Tercero."},
				{Number: "4", Text: "Cuarto."},
				{Text: "Viñeta uno"},
				{Text: "Viñeta dos"},
				{Text: "1.000 personas cruzaron en 2024."},
				{Text: "2024 fue un año difícil."},
				{Text: "C) Garantizar la protección de la niñez,"},
			},
		},
		{
			name: "a caps line that is not the first one is a heading; parte de is not a chapter",
			src:  "Texto inicial.\n\nCOOPERACIÓN REGIONAL\n\nParte de los Estados cooperan.\n\nCHAPITRE 2\nLes États.\n",
			blocks: []Block{
				{Text: "Texto inicial."},
				{Heading: true, Level: 1, Text: "COOPERACIÓN REGIONAL"},
				{Text: "Parte de los Estados cooperan."},
				{Heading: true, Level: 1, Text: "CHAPITRE 2"},
				{Text: "Les États."},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := ReadBytes("borrador.txt", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if o.Format != FormatText {
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

// TestReadTextEncodings: the same Spanish text saved the ways editors save
// it reads the same.
func TestReadTextEncodings(t *testing.T) {
	want := "Niñas, niños y adolescentes: protección €."
	tests := []struct {
		name     string
		data     []byte
		warnings []string
	}{
		{"utf-8", []byte("Niñas, niños y adolescentes: protección €."), nil},
		{"utf-8 with BOM", append([]byte{0xEF, 0xBB, 0xBF}, "Niñas, niños y adolescentes: protección €."...), nil},
		{"decomposed utf-8 (macOS)", []byte("Nin\u0303as, nin\u0303os y adolescentes: proteccio\u0301n €."), nil},
		{"windows-1252", []byte("Ni\xf1as, ni\xf1os y adolescentes: protecci\xf3n \x80."), []string{WarnWindows1252}},
		{"utf-16le with BOM (Notepad)", utf16le("Niñas, niños y adolescentes: protección €."), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := ReadBytes("borrador.txt", tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if len(o.Blocks) != 1 || o.Blocks[0].Text != want {
				t.Errorf("blocks %+v, want one paragraph %q", o.Blocks, want)
			}
			if got := warningCodes(o.Warnings); !slices.Equal(got, tt.warnings) {
				t.Errorf("warnings %v, want %v", got, tt.warnings)
			}
		})
	}
}

func TestReadTextErrors(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		kind ErrorKind
	}{
		{"headings only", []byte("CAPÍTULO I\n\nCAPÍTULO II\n"), NoParagraphs},
		{"control characters", []byte("texto\x01\x02\x03\x04\x05\x06\x07\x08 con basura"), Binary},
		{"random bytes", []byte{0x13, 0x37, 0xfe, 0x00, 0x99, 0x42}, Binary},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadBytes("borrador.txt", tt.data)
			var e *Error
			if !errors.As(err, &e) || e.Kind != tt.kind {
				t.Errorf("got %v, want kind %v", err, tt.kind)
			}
		})
	}
}

func utf16le(s string) []byte {
	b := []byte{0xFF, 0xFE}
	for _, r := range s {
		if r > 0xFFFF {
			panic("outside the basic plane")
		}
		b = append(b, byte(r), byte(r>>8))
	}
	return b
}

// TestReadTextSavedByLibreOffice reads testdata/borrador-cero-1252.txt,
// which LibreOffice's "Save as text" wrote from the same source as
// borrador-cero.docx, in Windows-1252: a paragraph per line, a blank line
// for the empty paragraph, the typed line break as a new line, bullets as
// "•".
func TestReadTextSavedByLibreOffice(t *testing.T) {
	o, err := ReadFile("testdata/borrador-cero-1252.txt")
	if err != nil {
		t.Fatal(err)
	}
	checkBlocks(t, o.Blocks, []Block{
		{Text: "Declaración y Plan de Acción de Chile"},
		{Text: "Borrador cero, 15 de marzo de 2024"},
		{Text: "Preámbulo"},
		{Text: "Los Gobiernos de América Latina y el Caribe, reunidos en Santiago de Chile en el cuadragésimo aniversario de la Declaración de Cartagena sobre Refugiados,"},
		{Text: "Reconociendo el espíritu de solidaridad y cooperación regional que ha caracterizado la respuesta de la región al desplazamiento forzado,"},
		{Text: "Tomando nota del informe del ACNUR disponible en el sitio del ACNUR y de las contribuciones de la sociedad civil,"},
		{Heading: true, Level: 1, Text: "Capítulo I. Protección internacional"},
		{Text: "Asilo y determinación de la condición de refugiado"},
		{Text: "Fortalecer los sistemas nacionales de asilo, con procedimientos justos y eficientes, y garantizar el principio de no devolución."},
		{Text: "Promover el acceso a la documentación de las personas desplazadas."},
		{Text: "Fomentar alternativas a la detención de niñas, niños y adolescentes."},
		{Text: "Apatridia"},
		{Text: "Erradicar la apatridia antes de 2034, en línea con el Plan de Acción de Brasil."},
		{Heading: true, Level: 1, Text: "Capítulo II. Soluciones duraderas"},
		{Text: "Impulsar la integración local, el reasentamiento y la repatriación voluntaria en condiciones de seguridad y dignidad."},
	})
	if got := warningCodes(o.Warnings); !slices.Equal(got, []string{WarnWindows1252}) {
		t.Errorf("warnings %v", got)
	}
	// Plain text has no styles: the short lines that were headings are
	// paragraphs, and the preview says so.
	if got := warningCodes(Preview(o).Warnings); !slices.Contains(got, WarnShortParagraphs) {
		t.Errorf("preview warnings %v lack %s", got, WarnShortParagraphs)
	}
}
