package draftimport

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/gomutex/godocx"
)

// The fixtures under testdata were written by LibreOffice from the .fodt
// files beside them (see testdata/README.md).
func TestReadDOCXFixtures(t *testing.T) {
	tests := []struct {
		file     string
		title    string
		blocks   []Block
		warnings []string
	}{
		{
			file:  "borrador-cero.docx",
			title: "Declaración y Plan de Acción de Chile",
			blocks: []Block{
				{Heading: true, Level: 1, Text: "Preámbulo"},
				{Text: "Los Gobiernos de América Latina y el Caribe, reunidos en Santiago de Chile en el cuadragésimo aniversario de la Declaración de Cartagena sobre Refugiados,", Part: PartPreambular},
				// Text split across bold and italic runs.
				{Text: "Reconociendo el espíritu de solidaridad y cooperación regional que ha caracterizado la respuesta de la región al desplazamiento forzado,", Part: PartPreambular},
				// An empty paragraph came before this one; the words of
				// the hyperlink are kept.
				{Text: "Tomando nota del informe del ACNUR disponible en el sitio del ACNUR y de las contribuciones de la sociedad civil,", Part: PartPreambular},
				{Heading: true, Level: 1, Text: "Capítulo I. Protección internacional"},
				{Heading: true, Level: 2, Text: "Asilo y determinación de la condición de refugiado"},
				// A tab and a line break inside one run.
				{Text: "Fortalecer los sistemas nacionales de asilo, con procedimientos justos y eficientes, y garantizar el principio de no devolución."},
				// Bulleted list items.
				{Text: "Promover el acceso a la documentación de las personas desplazadas."},
				{Text: "Fomentar alternativas a la detención de niñas, niños y adolescentes."},
				{Heading: true, Level: 2, Text: "Apatridia"},
				{Text: "Erradicar la apatridia antes de 2034, en línea con el Plan de Acción de Brasil."},
				{Heading: true, Level: 1, Text: "Capítulo II. Soluciones duraderas"},
				{Text: "Impulsar la integración local, el reasentamiento y la repatriación voluntaria en condiciones de seguridad y dignidad."},
			},
			warnings: []string{WarnSubtitle, WarnListNumbers},
		},
		{
			file:  "pp-op.docx",
			title: "Draft Declaration on Regional Protection",
			blocks: []Block{
				{Heading: true, Level: 1, Text: "Preamble"},
				{Number: "PP1", Part: PartPreambular, Text: "Recalling the Cartagena Declaration on Refugees of 1984 and its enduring contribution to international protection,"},
				{Number: "PP2", Part: PartPreambular, Text: "Reaffirming the principle of non-refoulement as a cornerstone of international refugee law,"},
				{Number: "PP3", Part: PartPreambular, Text: "Acknowledging the generosity of host communities across the region,"},
				{Heading: true, Level: 1, Text: "Operative part"},
				{Number: "OP1", Part: PartOperative, Text: "Decide to strengthen national asylum systems through regional cooperation;"},
				{Number: "OP2 bis", Part: PartOperative, Text: "Commit to ensuring access to documentation for all displaced persons;"},
				{Number: "OP4", Part: PartOperative, Text: "Encourage the participation of refugees in the design of public policies;"},
				// No label of its own: the heading above gives the part.
				{Number: "12", Part: PartOperative, Text: "Request the secretariat to report on progress every three years."},
			},
		},
		{
			file:  "tabla.docx",
			title: "Plano de Ação: quadro de compromissos",
			blocks: []Block{
				{Heading: true, Level: 1, Text: "Soluções duradouras"},
				{Text: "Os compromissos estão listados na tabela seguinte."},
				// The number column is joined to the text column, then
				// taken off as the paragraph's number; the header row
				// ("Nº", "Compromisso") is left out.
				{Number: "1", Text: "Promover a integração local das pessoas refugiadas."},
				{Number: "2", Text: "Ampliar as vias complementares de admissão."},
				{Text: "Incluir o reassentamento comunitário."},
				{Heading: true, Level: 1, Text: "Solutions durables (version française)"},
				{Text: "Les États s’engagent à renforcer la coopération régionale en matière de réinstallation."},
			},
			warnings: []string{WarnTableCells, WarnTableHeader},
		},
		{
			// LibreOffice styles of the author's own, named "Título 1"
			// and "Título 2" (ids Ttulo1, Ttulo2); no Title paragraph, so
			// the title comes from the document's properties.
			file:  "estilos-propios.docx",
			title: "Borrador con estilos propios",
			blocks: []Block{
				{Heading: true, Level: 1, Text: "Capítulo I. Protección"},
				{Text: "Garantizar el acceso al territorio y al procedimiento de asilo."},
				{Heading: true, Level: 2, Text: "Niñez no acompañada"},
				{Text: "Asegurar el interés superior de la niña y del niño en todos los procedimientos."},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			o, err := ReadFile("testdata/" + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if o.Format != FormatDOCX {
				t.Errorf("format %q, want docx", o.Format)
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

// TestReadDOCXWordLocalized reads the LibreOffice fixture as Spanish Word
// would have written it: style ids derived from the localized names
// ("Ttulo1" for "Título 1", "Ttulo" for "Título") while the names stay the
// English built-in ones Word keeps ("heading 1", "Title").
func TestReadDOCXWordLocalized(t *testing.T) {
	data, err := os.ReadFile("testdata/borrador-cero.docx")
	if err != nil {
		t.Fatal(err)
	}
	data = rewriteZip(t, data, func(name string, b []byte) []byte {
		s := string(b)
		switch name {
		case "word/document.xml", "word/styles.xml":
			for from, to := range map[string]string{
				`"Heading1"`: `"Ttulo1"`, `"Heading2"`: `"Ttulo2"`, `"Title"`: `"Ttulo"`, `"Subtitle"`: `"Subttulo"`,
				`w:val="Heading 1"`: `w:val="heading 1"`, `w:val="Heading 2"`: `w:val="heading 2"`,
			} {
				s = strings.ReplaceAll(s, from, to)
			}
		}
		return []byte(s)
	})
	o, err := ReadBytes("borrador-cero.docx", data)
	if err != nil {
		t.Fatal(err)
	}
	if o.Title != "Declaración y Plan de Acción de Chile" {
		t.Errorf("title %q", o.Title)
	}
	var headings []string
	for _, b := range o.Blocks {
		if b.Heading {
			headings = append(headings, strings.Repeat("#", b.Level)+" "+b.Text)
		}
	}
	want := []string{"# Preámbulo", "# Capítulo I. Protección internacional", "## Asilo y determinación de la condición de refugiado",
		"## Apatridia", "# Capítulo II. Soluciones duraderas"}
	if !slices.Equal(headings, want) {
		t.Errorf("headings\n%q\nwant\n%q", headings, want)
	}
}

// TestReadDOCXGodocx reads a document written by github.com/gomutex/godocx,
// the library app/export writes DOCX with (Word's style ids, a Title and
// Heading 1–2 from its template).
func TestReadDOCXGodocx(t *testing.T) {
	doc, err := godocx.NewDocument()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := doc.AddHeading("Declaração do Brasil", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := doc.AddHeading("Capítulo 1. Proteção", 1); err != nil {
		t.Fatal(err)
	}
	p := doc.AddParagraph("Os Estados ")
	p.AddText("reafirmam").Bold(true)
	p.AddText(" o princípio de não devolução.")
	if _, err := doc.AddHeading("Crianças", 2); err != nil {
		t.Fatal(err)
	}
	doc.AddParagraph("1. Garantir o interesse superior da criança.")
	var buf bytes.Buffer
	if err := doc.Write(&buf); err != nil {
		t.Fatal(err)
	}
	o, err := ReadBytes("export.docx", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if o.Title != "Declaração do Brasil" {
		t.Errorf("title %q", o.Title)
	}
	checkBlocks(t, o.Blocks, []Block{
		{Heading: true, Level: 1, Text: "Capítulo 1. Proteção"},
		{Text: "Os Estados reafirmam o princípio de não devolução."},
		{Heading: true, Level: 2, Text: "Crianças"},
		{Number: "1", Text: "Garantir o interesse superior da criança."},
	})
}

// TestReadDOCXMarkup covers WordprocessingML that LibreOffice does not write
// for the fixtures but Word does: wrappers around runs, tracked changes,
// fields, text boxes, hidden text, tables of contents and styles found only
// through their id, their outline level or the style they are based on.
func TestReadDOCXMarkup(t *testing.T) {
	const styles = `<w:style w:type="paragraph" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="Ttulo1"><w:name w:val="heading 1"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Ttulo"><w:name w:val="Title"/></w:style>
<w:style w:type="paragraph" w:styleId="MiCapitulo"><w:name w:val="Mi capítulo"/><w:basedOn w:val="Ttulo1"/></w:style>
<w:style w:type="paragraph" w:styleId="Nivel3"><w:name w:val="Nivel tres"/><w:pPr><w:outlineLvl w:val="2"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="TDC1"><w:name w:val="toc 1"/></w:style>
<w:style w:type="paragraph" w:styleId="Bucle"><w:name w:val="Bucle"/><w:basedOn w:val="Bucle2"/></w:style>
<w:style w:type="paragraph" w:styleId="Bucle2"><w:name w:val="Bucle dos"/><w:basedOn w:val="Bucle"/></w:style>`
	tests := []struct {
		name     string
		body     string
		styles   string // empty: no styles part at all
		title    string
		blocks   []Block
		warnings []string
	}{
		{
			name: "wrappers keep their words",
			body: p(`<w:r><w:t xml:space="preserve">Véase </w:t></w:r>` +
				`<w:hyperlink r:id="rId9"><w:r><w:t>el informe</w:t></w:r></w:hyperlink>` +
				`<w:smartTag w:uri="x" w:element="place"><w:r><w:t xml:space="preserve"> de Quito</w:t></w:r></w:smartTag>` +
				`<w:sdt><w:sdtPr><w:alias w:val="Campo"/><w:placeholder><w:docPart w:val="x"/></w:placeholder></w:sdtPr>` +
				`<w:sdtContent><w:r><w:t xml:space="preserve"> y el anexo</w:t></w:r></w:sdtContent></w:sdt>` +
				`<w:customXml w:element="x"><w:r><w:t>.</w:t></w:r></w:customXml>`),
			blocks: []Block{{Text: "Véase el informe de Quito y el anexo."}},
		},
		{
			name: "tracked changes read as accepted",
			body: p(`<w:r><w:t xml:space="preserve">Los Estados </w:t></w:r>` +
				`<w:del w:id="1" w:author="A"><w:r><w:delText xml:space="preserve">podrán </w:delText></w:r></w:del>` +
				`<w:ins w:id="2" w:author="B"><w:r><w:t xml:space="preserve">deberán </w:t></w:r></w:ins>` +
				`<w:r><w:t>proteger.</w:t></w:r>`),
			blocks:   []Block{{Text: "Los Estados deberán proteger."}},
			warnings: []string{WarnTrackedChanges},
		},
		{
			name: "field code left out, its result kept",
			body: p(`<w:r><w:t xml:space="preserve">Ver página </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r>` +
				`<w:r><w:instrText xml:space="preserve"> PAGEREF _Toc1 \h </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>` +
				`<w:r><w:t>4</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>` +
				`<w:fldSimple w:instr=" SEQ x "><w:r><w:t xml:space="preserve"> y anexo 2</w:t></w:r></w:fldSimple>`),
			blocks: []Block{{Text: "Ver página 4 y anexo 2"}},
		},
		{
			name: "hyphens, hidden text, symbols, breaks",
			body: p(`<w:r><w:t>non</w:t><w:noBreakHyphen/><w:t>refoulement y pro</w:t><w:softHyphen/><w:t>tección</w:t></w:r>` +
				`<w:r><w:rPr><w:vanish/></w:rPr><w:t>NOTA OCULTA</w:t></w:r>` +
				`<w:r><w:rPr><w:vanish w:val="false"/></w:rPr><w:t xml:space="preserve"> visibles</w:t></w:r>` +
				`<w:r><w:sym w:font="Wingdings" w:char="F0E0"/><w:cr/><w:t>fin</w:t><w:br w:type="page"/><w:tab/><w:t>.</w:t></w:r>` +
				`<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteReference w:id="2"/></w:r>`),
			blocks:   []Block{{Text: "non-refoulement y protección visibles fin ."}},
			warnings: []string{WarnFootnotes},
		},
		{
			name: "text box and picture left out",
			body: p(`<w:r><w:t xml:space="preserve">Antes </w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:inline>` +
				`<a:graphic><a:graphicData><wps:wsp><wps:txbx><w:txbxContent><w:p><w:r><w:t>En la caja</w:t></w:r></w:p></w:txbxContent></wps:txbx></wps:wsp>` +
				`</a:graphicData></a:graphic></wp:inline></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent><w:p><w:r><w:t>En la caja</w:t></w:r></w:p>` +
				`</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>` +
				`<w:r><w:drawing><wp:inline><a:graphic/></wp:inline></w:drawing><w:t>después.</w:t></w:r>`),
			blocks:   []Block{{Text: "Antes después."}},
			warnings: []string{WarnTextBoxes},
		},
		{
			name:   "styles by name, id, outline level and basedOn",
			styles: styles,
			body: ps("Ttulo", "Declaración de Santiago") + ps("TDC1", "Capítulo I ........ 3") +
				ps("MiCapitulo", "I. Protección") + ps("Nivel3", "Detalle") + ps("Normal", "Texto.") +
				ps("Bucle", "Un estilo que se basa en sí mismo.") + ps("Ttulo", "Otro título") + ps("", "Más texto."),
			title: "Declaración de Santiago",
			blocks: []Block{
				{Heading: true, Level: 2, Number: "I", Text: "Protección"},
				{Heading: true, Level: 3, Text: "Detalle"},
				{Text: "Texto."},
				{Text: "Un estilo que se basa en sí mismo."},
				// A second Title paragraph goes above the chapters.
				{Heading: true, Level: 1, Text: "Otro título"},
				{Text: "Más texto."},
			},
			warnings: []string{WarnContents, WarnExtraTitle},
		},
		{
			name:  "no styles part: the id alone decides",
			body:  ps("Titre1", "Chapitre premier") + ps("Heading2", "1.2 Section") + ps("Titre", "Déclaration") + ps("Normal", "Texte."),
			title: "Déclaration",
			blocks: []Block{
				{Heading: true, Level: 1, Text: "Chapitre premier"},
				{Heading: true, Level: 2, Number: "1.2", Text: "Section"},
				{Text: "Texte."},
			},
		},
		{
			name:   "the paragraph's own outline level wins",
			styles: styles,
			body: `<w:p><w:pPr><w:pStyle w:val="Normal"/><w:outlineLvl w:val="0"/></w:pPr><w:r><w:t>Encabezado directo</w:t></w:r></w:p>` +
				`<w:p><w:pPr><w:pStyle w:val="Ttulo1"/><w:outlineLvl w:val="9"/></w:pPr><w:r><w:t>Cuerpo con estilo de título.</w:t></w:r></w:p>` +
				`<w:p><w:pPr><w:pStyle w:val="Normal"/><w:pPrChange w:id="1"><w:pPr><w:pStyle w:val="Ttulo1"/></w:pPr></w:pPrChange></w:pPr><w:r><w:t>Antes era título.</w:t></w:r></w:p>`,
			blocks: []Block{
				{Heading: true, Level: 1, Text: "Encabezado directo"},
				{Text: "Cuerpo con estilo de título."},
				{Text: "Antes era título."},
			},
		},
		{
			name: "content control around paragraphs and a nested table",
			body: `<w:sdt><w:sdtContent>` + p(`<w:r><w:t>Dentro del control.</w:t></w:r>`) + `</w:sdtContent></w:sdt>` +
				`<w:tbl><w:tr><w:tc>` + p(`<w:r><w:t>PP1</w:t></w:r>`) + `</w:tc><w:tc>` + p(`<w:r><w:t>Recordando la Declaración,</w:t></w:r>`) +
				`<w:tbl><w:tr><w:tc>` + p(`<w:r><w:t>Celda anidada.</w:t></w:r>`) + `</w:tc></w:tr></w:tbl>` +
				`</w:tc></w:tr><w:tr><w:trPr><w:tblHeader w:val="0"/></w:trPr><w:tc>` + p(`<w:r><w:t>Fila normal.</w:t></w:r>`) + `</w:tc></w:tr></w:tbl>`,
			blocks: []Block{
				{Text: "Dentro del control."},
				{Number: "PP1", Part: PartPreambular, Text: "Recordando la Declaración,"},
				{Text: "Celda anidada."},
				{Text: "Fila normal."},
			},
			warnings: []string{WarnTableCells},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := ReadBytes("prueba.docx", makeDOCX(t, tt.body, tt.styles))
			if err != nil {
				t.Fatal(err)
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

func TestReadDOCXErrors(t *testing.T) {
	fixture, err := os.ReadFile("testdata/borrador-cero.docx")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		file string
		data []byte
		kind ErrorKind
		msg  string // a part of the message
	}{
		{"renamed text", "borrador.docx", []byte("Esto no es un documento de Word."), NotDOCX, "named .docx but is not"},
		{"truncated download", "borrador.docx", fixture[:len(fixture)/2], Damaged, "damaged or incomplete"},
		{"zip without document", "borrador.docx", zipOf(t, map[string]string{"notas.txt": "hola"}), NotDOCX, "no word/document.xml"},
		{"odt", "borrador.docx", zipOf(t, map[string]string{"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"}), Unsupported, ".odt"},
		{"spreadsheet", "datos.docx", zipOf(t, map[string]string{"xl/workbook.xml": "<x/>"}), NotDOCX, "spreadsheet"},
		{"broken xml", "borrador.docx", makeDOCXRaw(t, `<w:document><w:body><w:p><w:r><w:t>sin cerrar`, ""), Damaged, "damaged"},
		{"empty body", "borrador.docx", makeDOCX(t, p(``)+p(`<w:r><w:t>   </w:t></w:r>`), ""), Empty, "no text"},
		{"headings only", "borrador.docx", makeDOCX(t, ps("Heading1", "Capítulo I")+ps("Heading2", "Asilo"), ""), NoParagraphs, "2 headings but no paragraphs"},
		{"old word", "borrador.doc", append(slices.Clone(oleMagic), make([]byte, 512)...), Unsupported, "save it as .docx"},
		{"pdf", "borrador.pdf", []byte("%PDF-1.7\n%âãÏÓ\n1 0 obj"), Unsupported, "PDF"},
		{"rtf", "borrador.rtf", []byte(`{\rtf1\ansi hola}`), Unsupported, "RTF"},
		{"png", "foto.png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01"), Binary, "neither text nor a Word document"},
		{"web page", "borrador.txt", []byte("<!DOCTYPE html>\n<html><body><p>Hola</p></body></html>"), Unsupported, "web page"},
		{"flat xml", "borrador.fodt", []byte("\ufeff<?xml version=\"1.0\"?>\n<office:document/>"), Unsupported, "XML"},
		{"empty file", "vacio.txt", nil, Empty, "the file is empty"},
		{"blank file", "vacio.md", []byte(" \n\t\r\n"), Empty, "no text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := ReadBytes(tt.file, tt.data)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, %v; want an *Error", o, err)
			}
			if e.Kind != tt.kind {
				t.Errorf("kind %v, want %v (%v)", e.Kind, tt.kind, err)
			}
			if !strings.Contains(err.Error(), tt.msg) || !strings.Contains(err.Error(), `"`+tt.file+`"`) {
				t.Errorf("message %q should name %q and say %q", err, tt.file, tt.msg)
			}
		})
	}
}

func TestReadTooLarge(t *testing.T) {
	_, err := Read("enorme.txt", io.LimitReader(zeros{}, MaxSize+1))
	var e *Error
	if !errors.As(err, &e) || e.Kind != TooLarge || !strings.Contains(err.Error(), "at most 20 MB") {
		t.Fatalf("got %v", err)
	}
}

// A part that unpacks to more than its limit is refused before it is read
// whole (the import's limit is maxPartSize; a small one keeps this fast).
func TestReadPartLimit(t *testing.T) {
	data := zipOf(t, map[string]string{"word/document.xml": strings.Repeat("a", 5000)})
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := readPart(zr.File[0], 4999); !errors.Is(err, errPartTooLarge) {
		t.Errorf("limit 4999: %v", err)
	}
	if b, err := readPart(zr.File[0], 5000); err != nil || len(b) != 5000 {
		t.Errorf("limit 5000: %d bytes, %v", len(b), err)
	}
}

type zeros struct{}

func (zeros) Read(b []byte) (int, error) {
	clear(b)
	return len(b), nil
}

func checkBlocks(t *testing.T, got, want []Block) {
	t.Helper()
	for i := 0; i < max(len(got), len(want)); i++ {
		switch {
		case i >= len(got):
			t.Errorf("block %d missing: %+v", i, want[i])
		case i >= len(want):
			t.Errorf("block %d extra: %+v", i, got[i])
		case got[i] != want[i]:
			t.Errorf("block %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

func warningCodes(ws []Warning) []string {
	var codes []string
	for _, w := range ws {
		codes = append(codes, w.Code)
	}
	return codes
}

// p is a paragraph with the given runs; ps one in a style with one run.
func p(runs string) string { return `<w:p>` + runs + `</w:p>` }

func ps(style, text string) string {
	ppr := ""
	if style != "" {
		ppr = `<w:pPr><w:pStyle w:val="` + style + `"/></w:pPr>`
	}
	return `<w:p>` + ppr + `<w:r><w:t>` + text + `</w:t></w:r></w:p>`
}

const wordNS = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" ` +
	`xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" ` +
	`xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" ` +
	`xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" ` +
	`xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" ` +
	`xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" ` +
	`xmlns:v="urn:schemas-microsoft-com:vml"`

// makeDOCX packages a document body (and, if not empty, the w:style
// elements of a style sheet) the way Word lays out a .docx.
func makeDOCX(t *testing.T, body, styles string) []byte {
	t.Helper()
	doc := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<w:document ` + wordNS + `><w:body>` + body + `<w:sectPr/></w:body></w:document>`
	st := ""
	if styles != "" {
		st = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
			`<w:styles ` + wordNS + `>` + styles + `</w:styles>`
	}
	return makeDOCXRaw(t, doc, st)
}

func makeDOCXRaw(t *testing.T, document, styles string) []byte {
	t.Helper()
	parts := map[string]string{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
			`<Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`,
		"_rels/.rels": `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`,
		"word/document.xml": document,
	}
	if styles != "" {
		parts["word/styles.xml"] = styles
		parts["word/_rels/document.xml.rels"] = `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`
	}
	return zipOf(t, parts)
}

func zipOf(t *testing.T, parts map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := make([]string, 0, len(parts))
	for name := range parts {
		names = append(names, name)
	}
	slices.Sort(names) // a stable archive, whatever the map's order
	for _, name := range names {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, parts[name]); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rewriteZip copies an archive, passing each part through edit.
func rewriteZip(t *testing.T, data []byte, edit func(name string, b []byte) []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string]string{}
	for _, f := range zr.File {
		b, err := readPart(f, maxPartSize)
		if err != nil {
			t.Fatal(err)
		}
		parts[f.Name] = string(edit(f.Name, b))
	}
	return zipOf(t, parts)
}
