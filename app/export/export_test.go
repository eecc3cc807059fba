package export_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/demo"
	"github.com/cartagena-c40/consulta/app/export"
	"github.com/cartagena-c40/consulta/storage"
	"github.com/xuri/excelize/v2"
)

func newService(t testing.TB, init bool) *app.Service {
	t.Helper()
	st, err := storage.Open("", storage.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc, err := app.NewService(st)
	if err != nil {
		t.Fatal(err)
	}
	if init {
		if _, err := svc.Init("Cartagena +40"); err != nil {
			t.Fatal(err)
		}
	}
	return svc
}

// fixture is a workspace with demo data, a consolidated proposal, a
// withdrawn proposal and a note with accents.
type fixture struct {
	svc                       *app.Service
	merged, withdrawn, noteID app.RecordID
	sources                   []app.RecordID
}

func newFixture(t testing.TB, n int) *fixture {
	t.Helper()
	svc := newService(t, true)
	if _, err := demo.Load(svc, n, 7, 500, nil); err != nil {
		t.Fatal(err)
	}
	f := &fixture{svc: svc}
	sr, c := app.SubRegion("andes"), app.CountryCode("PE")
	mk := func(k app.Kind, title, body string) app.RecordID {
		id, err := svc.Create(k, app.Patch{Title: &title, Body: &body, SubRegion: &sr, Country: &c,
			AddThemes: []app.ThemeCode{"broad-protection"}, Author: ptr("Ana Quispe"), Org: ptr("Red Andina")})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	a := mk(app.KindProposal, "Protección de niñas y niños", "Garantizar la protección.\n\nCon atención diferenciada.")
	b := mk(app.KindProposal, "Acceso à proteção", "Garantir o acesso à proteção; ações em Brasília.")
	f.sources = []app.RecordID{a, b}
	title, body := "Protección integral: propuesta consolidada", "Texto consolidado: acción, reunión, coração, élève."
	m, err := svc.Merge(f.sources, app.Patch{Title: &title, Body: &body, Author: ptr("Relatoría Andina")})
	if err != nil {
		t.Fatal(err)
	}
	f.merged = m
	f.withdrawn = mk(app.KindProposal, "Propuesta retirada única", "Texto retirado.")
	if err := svc.Withdraw(f.withdrawn); err != nil {
		t.Fatal(err)
	}
	f.noteID = mk(app.KindNote, "Nota de sesión única", "Apuntes de la sesión.")
	return f
}

func ptr[T any](v T) *T { return &v }

func write(t *testing.T, svc *app.Service, opts export.Options) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "out."+opts.Format)
	if err := export.Write(svc, opts, path); err != nil {
		t.Fatalf("export %s: %v", opts.Format, err)
	}
	return path
}

func TestDOCX(t *testing.T) {
	f := newFixture(t, 200)
	path := write(t, f.svc, export.Options{Format: "docx", Lang: "es"})
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var doc string
	for _, zf := range zr.File {
		if zf.Name == "word/document.xml" {
			rc, _ := zf.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			doc = string(b)
		}
	}
	for _, want := range []string{
		`w:val="Title"`, `w:val="Heading1"`, `w:val="Heading2"`, `w:val="Heading5"`, // real heading styles
		`TOC \o`, "Índice", // the table of contents field
		"Perspectiva amplia de la protección internacional", // a chapter, in Spanish
		"Propuestas consolidadas", "Protección integral: propuesta consolidada",
		"Texto consolidado: acción, reunión, coração, élève.", // text as written, accents intact
		"Fuentes", "Ana Quispe (Red Andina)",
		"Resumen por tema y subregión", "Anexo: registros incluidos",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("the DOCX lacks %q", want)
		}
	}
	for _, absent := range []string{"Propuesta retirada única", "Nota de sesión única"} {
		if strings.Contains(doc, absent) {
			t.Errorf("the DOCX holds %q, left out unless asked", absent)
		}
	}
}

func TestPDFTextExtracts(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext is not installed (Debian: poppler-utils); the PDF's text is not checked")
	}
	f := newFixture(t, 150)
	path := write(t, f.svc, export.Options{Format: "pdf", Lang: "pt", IncludeNotes: true})
	out, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, want := range []string{
		"Contribuição consolidada", "Sumário", // Portuguese labels
		"Texto consolidado: acción, reunión, coração, élève.",
		"Acceso à",             // a source, listed with the consolidated proposal
		"Nota de sesión única", // notes, asked for
		"Anexo: registros incluídos",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q", want)
		}
	}
	// The table of contents has page numbers.
	if !regexp.MustCompile(`Resumo por tema e sub-região\s+\d+`).MatchString(text) {
		t.Error("the table of contents has no page number for the summary")
	}
}

func TestXLSX(t *testing.T) {
	f := newFixture(t, 300)
	path := write(t, f.svc, export.Options{Format: "xlsx", Lang: "en", HXL: true})
	x, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	sheets := x.GetSheetList()
	if len(sheets) < 3 || sheets[0] != "Summary by theme and sub-region" {
		t.Fatalf("sheets %v", sheets)
	}
	rows, err := x.GetRows("Proposals")
	if err != nil {
		t.Fatal(err)
	}
	if rows[0][3] != "Title" || rows[1][3] != "#description+title" || rows[1][10] != "#country+code" {
		t.Fatalf("header %v / HXL %v", rows[0], rows[1])
	}
	res, _ := f.svc.List(app.Filter{Kinds: []string{"proposal"}, Statuses: []string{"draft", "submitted", "under-review", "merged", "adopted"}}, 0)
	if got := len(rows) - 2; got != res.Total {
		t.Fatalf("%d proposal rows, want %d (withdrawn left out)", got, res.Total)
	}
	found := false
	for _, r := range rows[2:] {
		if r[0] == string(f.merged) {
			found = r[4] == "Texto consolidado: acción, reunión, coração, élève." && strings.Contains(r[19], "Ana Quispe (Red Andina)")
		}
	}
	if !found {
		t.Error("the consolidated proposal's row is missing or altered")
	}
	sum, _ := x.GetRows(sheets[0])
	if last := sum[len(sum)-1]; last[0] != "Total" {
		t.Fatalf("summary ends with %v", last)
	}
}

func TestCSV(t *testing.T) {
	f := newFixture(t, 100)
	path := write(t, f.svc, export.Options{Format: "csv", Lang: "fr", BOM: true, IncludeWithdrawn: true})
	b, _ := os.ReadFile(path)
	if !bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")) {
		t.Fatal("no byte order mark with --bom")
	}
	rows, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if rows[0][3] != "Titre" {
		t.Fatalf("header %v", rows[0])
	}
	ids := map[string]bool{}
	for _, r := range rows[1:] {
		ids[r[0]] = true
	}
	if !ids[string(f.withdrawn)] || !ids[string(f.merged)] || ids[string(f.noteID)] {
		t.Fatal("withdrawn (asked) or consolidated missing, or a note not asked for present")
	}
}

func TestMarkdown(t *testing.T) {
	f := newFixture(t, 100)
	path := write(t, f.svc, export.Options{Format: "md", Lang: "en", Filter: app.Filter{SubRegions: []string{"andes"}}})
	b, _ := os.ReadFile(path)
	md := string(b)
	for _, want := range []string{"# Consolidated input — Cartagena +40", "**Filter:** Sub-region: Andean region",
		"## Broad perspective", "### Andean region", "#### Consolidated proposals", "| Id | Kind |"} {
		if !strings.Contains(md, want) {
			t.Errorf("the Markdown lacks %q", want)
		}
	}
	if strings.Contains(md, "### Mesoamerica") || strings.Contains(md, `\2024`) {
		t.Error("the filter let another sub-region in")
	}
}

// TestJSONRoundTrip: a JSON export imported into an empty data directory
// gives the same records, with the same history.
func TestJSONRoundTrip(t *testing.T) {
	f := newFixture(t, 150)
	path := write(t, f.svc, export.Options{Format: "json"})
	dst := newService(t, false)
	in, _ := os.Open(path)
	res, err := export.Import(dst, in)
	in.Close()
	if err != nil {
		t.Fatal(err)
	}
	if !res.Created || res.New != res.Operations || res.Workspace != f.svc.Workspace().ID {
		t.Fatalf("import: %+v", res)
	}
	all, _ := f.svc.List(app.Filter{}, 0)
	got, _ := dst.List(app.Filter{}, 0)
	if got.Total != all.Total {
		t.Fatalf("%d records imported, want %d", got.Total, all.Total)
	}
	for _, r := range all.Records {
		a, _ := f.svc.Get(r.ID)
		b, err := dst.Get(r.ID)
		if err != nil {
			t.Fatal(err)
		}
		ea, _ := app.EncodeRecord(a)
		eb, _ := app.EncodeRecord(b)
		if !bytes.Equal(ea, eb) {
			t.Fatalf("record %s differs after the round trip", r.ID)
		}
		ha, _ := f.svc.History(r.ID)
		hb, _ := dst.History(r.ID)
		if len(ha) != len(hb) {
			t.Fatalf("history of %s: %d operations, want %d", r.ID, len(hb), len(ha))
		}
		for i := range ha {
			x, _ := app.EncodeOp(ha[i])
			y, _ := app.EncodeOp(hb[i])
			if !bytes.Equal(x, y) {
				t.Fatalf("history of %s differs at %d", r.ID, i)
			}
		}
	}
	// Into a member of the same workspace: only what is missing.
	if _, err := f.svc.Create(app.KindNote, app.Patch{Title: ptr("Nueva"), SubRegion: ptr(app.SubRegion("regional")), AddThemes: []app.ThemeCode{"broad-protection"}}); err != nil {
		t.Fatal(err)
	}
	path2 := write(t, f.svc, export.Options{Format: "json"})
	in, _ = os.Open(path2)
	res, err = export.Import(dst, in)
	in.Close()
	if err != nil || res.Created || res.New != 1 {
		t.Fatalf("second import: %+v %v", res, err)
	}
	// Into another workspace: refused, nothing written.
	other := newService(t, true)
	before, _ := other.Vector()
	in, _ = os.Open(path2)
	_, err = export.Import(other, in)
	in.Close()
	if app.KindOf(err) != app.Foreign || !strings.Contains(err.Error(), "Cartagena +40") {
		t.Fatalf("import into another workspace: %v", err)
	}
	if after, _ := other.Vector(); len(after) != len(before) {
		t.Fatal("the refused import wrote something")
	}
	// A filtered export reads, but does not import.
	part := write(t, f.svc, export.Options{Format: "json", Filter: app.Filter{SubRegions: []string{"andes"}}})
	in, _ = os.Open(part)
	_, err = export.Import(newService(t, false), in)
	in.Close()
	if app.KindOf(err) != app.Invalid || !strings.Contains(err.Error(), "part of the workspace") {
		t.Fatalf("import of a filtered export: %v", err)
	}
	// Garbage.
	if _, err := export.Import(newService(t, false), strings.NewReader("{not json")); app.KindOf(err) != app.Invalid {
		t.Fatalf("garbage: %v", err)
	}
}

// TestWriteErrors: an unknown format or an unwritable path is a clear
// error and leaves no file behind.
func TestWriteErrors(t *testing.T) {
	svc := newService(t, true)
	dir := t.TempDir()
	if err := export.Write(svc, export.Options{Format: "odt"}, filepath.Join(dir, "x.odt")); app.KindOf(err) != app.Invalid || !strings.Contains(err.Error(), "docx") {
		t.Fatalf("unknown format: %v", err)
	}
	if err := export.Write(svc, export.Options{Format: "pdf"}, filepath.Join(dir, "missing", "x.pdf")); app.KindOf(err) != app.Invalid || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("missing folder: %v", err)
	}
	if err := export.Write(svc, export.Options{Format: "pdf"}, dir); app.KindOf(err) != app.Invalid {
		t.Fatalf("a folder as the file: %v", err)
	}
	if err := export.Write(svc, export.Options{Format: "md", Lang: "de"}, filepath.Join(dir, "x.md")); app.KindOf(err) != app.Invalid {
		t.Fatalf("unknown language: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("files left behind: %v", entries)
	}
}

// TestSensitiveRecords: left out of every export unless included; with
// --redact kept, text and author replaced, so the counts stay right.
func TestSensitiveRecords(t *testing.T) {
	f := newFixture(t, 60)
	title, body := "Testimonio de Marisol QWERTY", "Sobreviviente en Tapachula, teléfono 555-0199."
	sr, c := app.SubRegion("mesoamerica"), app.CountryCode("MX")
	id, err := f.svc.Create(app.KindInput, app.Patch{Title: &title, Body: &body, SubRegion: &sr, Country: &c,
		AddThemes: []app.ThemeCode{"broad-protection"}, Author: ptr("Marisol QWERTY"), Sensitive: ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range export.Formats {
		path := write(t, f.svc, export.Options{Format: format})
		b, _ := os.ReadFile(path)
		if format != "xlsx" && format != "docx" && bytes.Contains(b, []byte("QWERTY")) {
			t.Errorf("%s: a sensitive record is in the export", format)
		}
		if format == "json" && bytes.Contains(b, []byte(`"complete": true`)) {
			t.Error("json: a file without the sensitive record says it is complete")
		}
	}
	// Redacted: the record counts, without its text or author.
	path := write(t, f.svc, export.Options{Format: "csv", Redact: true})
	b, _ := os.ReadFile(path)
	if bytes.Contains(b, []byte("QWERTY")) || bytes.Contains(b, []byte("555-0199")) || !bytes.Contains(b, []byte(string(id))) {
		t.Fatalf("redacted CSV: %s", b)
	}
	if !bytes.Contains(b, []byte(app.Redacted)) {
		t.Fatal("the redacted record has no marker")
	}
	// Included when asked.
	path = write(t, f.svc, export.Options{Format: "md", IncludeSensitive: true})
	if b, _ := os.ReadFile(path); !bytes.Contains(b, []byte("QWERTY")) {
		t.Fatal("the sensitive record is missing although asked for")
	}
	// The XLSX and DOCX are zipped: read them.
	x, err := excelize.OpenFile(write(t, f.svc, export.Options{Format: "xlsx"}))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := x.GetRows("Aportes de las partes interesada")
	for _, r := range rows {
		if r[0] == string(id) {
			t.Fatal("xlsx: the sensitive record is in the export")
		}
	}
	x.Close()
}
