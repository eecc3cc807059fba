package export_test

import (
	"bytes"
	"encoding/csv"
	"os"
	"strings"
	"testing"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/export"
)

// Line endings as Windows tools expect, the same from every laptop: CSV
// ends every line with CRLF (RFC 4180), line breaks inside a field too,
// and reads back whole; Markdown keeps LF (CommonMark reads both, and
// every editor on Windows 10 and later shows LF; see docs/INSTALL.md).
func TestLineEndings(t *testing.T) {
	svc := newService(t, true)
	title, body := "Reunión en Quito", "Primera línea.\nSegunda línea.\r\nTercera."
	kind := app.KindProposal
	if _, err := svc.Create(kind, app.Patch{Title: &title, Body: &body, AddThemes: []app.ThemeCode{"broad-protection"}}); err != nil {
		t.Fatal(err)
	}

	b, err := os.ReadFile(write(t, svc, export.Options{Format: "csv", Lang: "es"}))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Count(b, []byte("\n")) != bytes.Count(b, []byte("\r\n")) {
		t.Errorf("CSV has a line feed without a carriage return:\n%q", b)
	}
	if !bytes.HasSuffix(b, []byte("\r\n")) {
		t.Errorf("CSV does not end with CRLF: %q", b[max(0, len(b)-20):])
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows[1:] {
		for _, v := range r {
			// The reader gives the field's line breaks back as LF.
			if strings.Contains(v, "Primera línea.\nSegunda línea.\nTercera.") {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("the body's three lines did not read back from the CSV: %q", rows)
	}

	md, err := os.ReadFile(write(t, svc, export.Options{Format: "md", Lang: "es"}))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(md, []byte("\r")) {
		t.Errorf("Markdown has a carriage return: %q", md)
	}
	if !bytes.Contains(md, []byte("Reunión en Quito")) {
		t.Errorf("Markdown lacks the proposal:\n%s", md)
	}
}
