package draftdoc_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/draftdoc"
	"github.com/xuri/excelize/v2"
)

// docxParagraph is a paragraph of a DOCX read back with encoding/xml: its
// text with every revision accepted and with every revision rejected,
// and the revisions it holds.
type docxParagraph struct {
	accepted, rejected string
	marks              []docxMark
	mark               string // "ins" or "del" when the paragraph mark itself is tracked
}

type docxMark struct {
	kind, author, date, text string
}

// readTracked reads word/document.xml token by token, as a reader that
// knows WordprocessingML and not this package would.
func readTracked(t *testing.T, doc []byte) []docxParagraph {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(doc))
	var out []docxParagraph
	var p *docxParagraph
	var in string // "ins", "del" or ""
	var cur *docxMark
	inText, inPPr := false, false
	attr := func(se xml.StartElement, name string) string {
		for _, a := range se.Attr {
			if a.Name.Local == name {
				return a.Value
			}
		}
		return ""
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("word/document.xml is not well-formed: %v", err)
		}
		switch se := tok.(type) {
		case xml.StartElement:
			switch se.Name.Local {
			case "p":
				out = append(out, docxParagraph{})
				p = &out[len(out)-1]
			case "pPr":
				inPPr = true
			case "ins", "del":
				if inPPr {
					p.mark = se.Name.Local
					continue
				}
				in = se.Name.Local
				p.marks = append(p.marks, docxMark{kind: in, author: attr(se, "author"), date: attr(se, "date")})
				cur = &p.marks[len(p.marks)-1]
			case "t", "delText":
				inText = true
			}
		case xml.EndElement:
			switch se.Name.Local {
			case "pPr":
				inPPr = false
			case "ins", "del":
				if !inPPr {
					in, cur = "", nil
				}
			case "t", "delText":
				inText = false
			}
		case xml.CharData:
			if !inText || p == nil {
				continue
			}
			s := string(se)
			if cur != nil {
				cur.text += s
			}
			if in != "del" {
				p.accepted += s
			}
			if in != "ins" {
				p.rejected += s
			}
		}
	}
}

// TestTrackedChangesReadBack reads the comparison of Rev.2 with the zero
// draft back from the DOCX's XML: its changes are w:ins and w:del by the
// secretariat at Rev.2's date; accepting every change gives Rev.2
// paragraph by paragraph, rejecting every change gives the zero draft.
func TestTrackedChangesReadBack(t *testing.T) {
	s := newSmallDraft(t)
	path := filepath.Join(t.TempDir(), "changes.docx")
	if err := draftdoc.Write(s.svc, draftdoc.Options{Kind: draftdoc.Changes, Format: "docx", Rev: 2, Against: 0, Now: printed}, path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	paras := readTracked(t, unzip(t, data)["word/document.xml"])
	rev0, err := s.svc.Revision(s.id, 0)
	if err != nil {
		t.Fatal(err)
	}
	rev2, err := s.svc.Revision(s.id, 2)
	if err != nil {
		t.Fatal(err)
	}
	var ins, del []string
	var accepted, rejected []string
	for _, p := range paras {
		for _, m := range p.marks {
			if m.author != "Secretaría" || m.date != rev2.Record.CreatedTime().UTC().Format("2006-01-02T15:04:05Z") {
				t.Errorf("a change by %q at %q", m.author, m.date)
			}
			if m.kind == "ins" {
				ins = append(ins, m.text)
			} else {
				del = append(del, m.text)
			}
		}
		if p.mark != "del" && p.accepted != "" {
			accepted = append(accepted, p.accepted)
		}
		if p.mark != "ins" && p.rejected != "" {
			rejected = append(rejected, p.rejected)
		}
	}
	for _, want := range []string{"y personal capacitado", "incluidas", "Las ciudades solidarias recibirán apoyo técnico y financiero."} {
		if !slices.ContainsFunc(ins, func(s string) bool { return strings.Contains(s, want) }) {
			t.Errorf("no insertion of %q in %q", want, ins)
		}
	}
	for _, want := range []string{"incluida", "Los Estados intercambiarán buenas prácticas cada dos años."} {
		if !slices.Contains(del, want) {
			t.Errorf("no deletion of %q in %q", want, del)
		}
	}
	for _, c := range []struct {
		name string
		got  []string
		rev  *app.RevisionText
	}{{"accepting every change", accepted, rev2}, {"rejecting every change", rejected, rev0}} {
		for _, rp := range c.rev.Paragraphs {
			want := rp.Number + rp.Text // the tab between them is not text
			if !slices.Contains(c.got, want) {
				t.Errorf("%s does not give %s's paragraph %q", c.name, c.rev.Label(), want)
			}
		}
	}
}

// TestStatusXLSXReadBack reads the status workbook back with excelize:
// the paragraphs with their counts as numbers, and the memoranda.
func TestStatusXLSXReadBack(t *testing.T) {
	s := newSmallDraft(t)
	path := filepath.Join(t.TempDir(), "status.xlsx")
	if err := draftdoc.Write(s.svc, draftdoc.Options{Kind: draftdoc.Status, Format: "xlsx", Lang: "en", Now: printed}, path); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !slices.Equal(got, []string{"Status of paragraphs", "Memorandum of changes"}) {
		t.Fatalf("sheets %q", got)
	}
	rows, err := f.GetRows("Status of paragraphs")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 7 || rows[0][0] != "Paragraph" || rows[2][0] != "2" || rows[2][2] != "Bracketed" || rows[2][3] != "2" {
		t.Fatalf("status rows %q", rows)
	}
	if typ, _ := f.GetCellType("Status of paragraphs", "D3"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("a count is a %v, not a number", typ)
	}
	memo, err := f.GetRows("Memorandum of changes")
	if err != nil {
		t.Fatal(err)
	}
	if len(memo) != 6 || memo[1][0] != "Rev.1" || memo[4][4] != "added" {
		t.Fatalf("memorandum rows %q", memo)
	}
}

// office is LibreOffice, when the machine has it. CI installs it
// (.ci/install-deps --test-tools) and sets CONSULTA_REQUIRE_OFFICE, so
// that there the checks that need it run rather than skip.
func office(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range append([]string{"soffice"}, tools...) {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CONSULTA_REQUIRE_OFFICE") != "" {
				t.Fatalf("%s is missing (CONSULTA_REQUIRE_OFFICE is set): .ci/install-deps --test-tools installs it", tool)
			}
			t.Skipf("%s is not installed: this check reads the documents back with it", tool)
		}
	}
}

// pdfText is the text pdftotext reads from a PDF.
func pdfText(t *testing.T, pdf string) string {
	t.Helper()
	out, err := exec.Command("pdftotext", "-layout", pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", pdf, err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// TestLibreOfficeReadsTheDocuments converts each DOCX to PDF with
// LibreOffice headless and reads it with pdftotext, and reads the PDFs
// this package writes with pdftotext: the comparison shows both the
// inserted and the deleted words (LibreOffice shows a document's tracked
// changes when it prints it), the compilation its amendments, the
// revision its paragraphs and brackets.
func TestLibreOfficeReadsTheDocuments(t *testing.T) {
	office(t, "pdftotext")
	s := newSmallDraft(t)
	dir := t.TempDir()
	docs := map[string]draftdoc.Options{
		"changes":     {Kind: draftdoc.Changes, Rev: 2, Against: 0},
		"compilation": {Kind: draftdoc.Compilation},
		"revision":    {Kind: draftdoc.Revision, Rev: draftdoc.Latest},
	}
	want := map[string][]string{
		"changes":     {"Rev.2", "personal capacitado", "incluida", "incluidas", "intercambiarán buenas prácticas", "ciudades solidarias"},
		"compilation": {"Compilación de enmiendas", "2 bis", "Nada sobre nosotros sin nosotros.", "Propuesta de Brasil", "Objeciones: México", "Estado de los párrafos", "Memorando de cambios"},
		"revision":    {"Rev.2", "Emitida por: Secretaría", "[en todas las fronteras]", "The States will support local integration in cities."},
	}
	var docx []string
	for name, opts := range docs {
		for _, format := range []string{"docx", "pdf"} {
			opts.Format, opts.Now = format, printed
			path := filepath.Join(dir, format, name+"."+format)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := draftdoc.Write(s.svc, opts, path); err != nil {
				t.Fatal(err)
			}
			if format == "docx" {
				docx = append(docx, path)
			}
		}
	}
	conv := filepath.Join(dir, "office")
	args := append([]string{"-env:UserInstallation=file://" + filepath.Join(dir, "profile"), "--headless", "--convert-to", "pdf", "--outdir", conv}, docx...)
	if out, err := exec.Command("soffice", args...).CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	for name := range docs {
		for _, pdf := range []string{filepath.Join(conv, name+".pdf"), filepath.Join(dir, "pdf", name+".pdf")} {
			text := pdfText(t, pdf)
			for _, w := range want[name] {
				if !strings.Contains(text, w) {
					t.Errorf("%s: no %q in %q", pdf, w, text)
				}
			}
		}
	}
}
