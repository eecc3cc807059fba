package draftimport

import (
	"bytes"
	"encoding/xml"
	"errors"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// FuzzRead feeds Read any bytes under any name: it must never panic, must
// fail only with an *Error naming the file, and what it returns must be the
// outline finish promises. The seeds committed under testdata/fuzz/FuzzRead
// include a LibreOffice .docx, damaged archives and each text encoding.
//
//	go test -run '^$' -fuzz FuzzRead -fuzztime 30s -fuzzminimizetime 2s ./app/draftimport/
//
// (Without -fuzzminimizetime the fuzzer may spend its first minute shrinking
// one interesting .docx, a minute that a short run does not have.)
func FuzzRead(f *testing.F) {
	for _, name := range []string{"borrador-cero.docx", "tabla.docx"} {
		if b, err := os.ReadFile("testdata/" + name); err == nil {
			f.Add(name, b)
		}
	}
	f.Add("borrador.md", []byte("# Título\n\n## Capítulo\n\nPP1 *Recordando*,\n\n- OP 2. Decide;\n"))
	f.Add("borrador.txt", []byte("DECLARACIÓN\n\nCapítulo I\n\n1. Texto\nque sigue.\n"))
	f.Add("latin1.txt", []byte("Protecci\xf3n de ni\xf1os"))
	f.Add("x.docx", []byte("PK\x03\x04junk"))
	f.Add("x", []byte{0xFF, 0xFE, 'a', 0})
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		o, err := ReadBytes(name, data)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Msg == "" || (name != "" && e.File == "") {
				t.Fatalf("error %v is not a worded *Error", err)
			}
			return
		}
		checkOutline(t, o)
	})
}

// FuzzDocumentXML feeds the DOCX reader's XML walker any document.xml
// directly, so that the fuzzer spends its time on the markup rather than on
// getting past the zip container.
//
//	go test -run '^$' -fuzz FuzzDocumentXML -fuzztime 30s -fuzzminimizetime 2s ./app/draftimport/
func FuzzDocumentXML(f *testing.F) {
	f.Add([]byte(`<w:document xmlns:w="w"><w:body>` + ps("Heading1", "Capítulo") +
		p(`<w:pPr><w:numPr><w:numId w:val="1"/></w:numPr><w:rPr/></w:pPr><w:hyperlink><w:r><w:rPr><w:vanish/></w:rPr><w:t>a</w:t></w:r></w:hyperlink><w:r><w:t>b</w:t><w:tab/></w:r>`) +
		`<w:tbl><w:tr><w:trPr><w:tblHeader/></w:trPr><w:tc>` + ps("", "1.") + `</w:tc></w:tr><w:tr><w:tc>` + ps("", "PP1") + `</w:tc><w:tc>` + ps("", "Texto") +
		`</w:tc></w:tr></w:tbl></w:body></w:document>`))
	f.Add([]byte(`<w:p><w:del><w:r><w:delText>x</w:delText></w:r></w:del><w:ins><w:r><w:t>y</w:t></w:r></w:ins><w:drawing><w:t>z</w:t></w:drawing></w:p>`))
	styles := styleSheet{"Heading1": {name: "heading 1", outline: 0}, "A": {basedOn: "B", outline: -1}, "B": {basedOn: "A", outline: -1}}
	f.Fuzz(func(t *testing.T, doc []byte) {
		w := &docxWalker{d: xml.NewDecoder(bytes.NewReader(doc)), styles: styles}
		if err := w.walk(); err != nil {
			return
		}
		_ = w.warnings()
		o, err := finish("fuzz.docx", FormatDOCX, w.title, w.blocks, nil)
		if err != nil {
			return
		}
		checkOutline(t, o)
	})
}

func checkOutline(t *testing.T, o *Outline) {
	t.Helper()
	paragraphs := 0
	for i, b := range o.Blocks {
		switch {
		case b.Text == "" || !utf8.ValidString(b.Text) || !norm.NFC.IsNormalString(b.Text):
			t.Fatalf("block %d: text %q is empty, not UTF-8 or not NFC", i, b.Text)
		case strings.ContainsAny(b.Text, "\n\r\t") || strings.TrimSpace(b.Text) != b.Text:
			t.Fatalf("block %d: text %q is not on one trimmed line", i, b.Text)
		case b.Heading && (b.Level < 1 || b.Part != ""):
			t.Fatalf("block %d: heading with level %d, part %q", i, b.Level, b.Part)
		case !b.Heading && b.Level != 0:
			t.Fatalf("block %d: paragraph with level %d", i, b.Level)
		}
		if !b.Heading {
			paragraphs++
		}
	}
	if paragraphs == 0 {
		t.Fatal("an outline without paragraphs was returned")
	}
	s := Preview(o)
	if s.Paragraphs != paragraphs {
		t.Fatalf("preview counts %d paragraphs, outline has %d", s.Paragraphs, paragraphs)
	}
	_ = s.String()
}
