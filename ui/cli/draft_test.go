package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const zeroDraftMD = `# Plan de Acción de Chile

## Capítulo I: Protección internacional

Reafirmamos la definición ampliada de refugiado de la Declaración de Cartagena.

Fortalecer los sistemas nacionales de asilo.

Promover [mecanismos/procedimientos] de determinación de la condición de refugiado.

## Capítulo II: Soluciones

Impulsar la integración local y las vías complementarias.
`

// TestDraftJourney: a secretariat officer imports a zero draft, two
// delegations amend the same paragraph, one is supported and opposed, one
// accepted; a new paragraph comes in as 2 bis; Rev.1 renumbers it, and the
// comparison shows what changed.
func TestDraftJourney(t *testing.T) {
	h := newHarness(t)
	h.ok("init", "--title", "Cartagena +40")
	file := filepath.Join(t.TempDir(), "borrador cero.md")
	if err := os.WriteFile(file, []byte(zeroDraftMD), 0o644); err != nil {
		t.Fatal(err)
	}
	if out := h.ok("draft", "import", file, "--dry-run"); !strings.Contains(out, "Paragraphs:  4") {
		t.Fatalf("the preview: %s", out)
	}
	if out := h.ok("draft", "list"); !strings.Contains(out, "no drafts yet") {
		t.Fatalf("a dry run wrote: %s", out)
	}
	if out := h.ok("draft", "import", file, "--name", "Secretaría Técnica"); !strings.Contains(out, "Plan de Acción de Chile") {
		t.Fatalf("import: %s", out)
	}
	a1 := h.ok("draft", "amend", "2", "--text", "Fortalecer y financiar los sistemas nacionales de asilo.", "--org", "Brasil", "--rationale", "Recursos.")
	a2 := h.ok("draft", "amend", "2", "--text", "Fortalecer los sistemas de asilo con apoyo regional.", "--org", "Red de Refugiados", "--name", "Ana Ruiz")
	h.ok("draft", "amend", "2", "--action", "add", "--text", "Reconocer a las organizaciones lideradas por personas refugiadas.", "--org", "RLO")
	h.ok("draft", "support", a1, "--name", "Colombia")
	h.ok("draft", "oppose", a1, "--name", "Perú")
	h.ok("draft", "decide", a1, "accepted")
	if _, errs, code := h.run("", "draft", "amend", "9", "--text", "x", "--org", "X"); code != 2 || !strings.Contains(errs, "no paragraph 9") {
		t.Fatalf("amending a paragraph that is not there: %d %s", code, errs)
	}
	if _, errs, code := h.run("", "draft", "decide", a2, "approved"); code != 2 || !strings.Contains(errs, "approved") {
		t.Fatalf("an unknown decision: %d %s", code, errs)
	}
	var am []map[string]any
	if err := json.Unmarshal([]byte(h.ok("draft", "amendments", "--paragraph", "2", "--json")), &am); err != nil {
		t.Fatal(err)
	}
	if len(am) != 3 {
		t.Fatalf("amendments to 2: %v", am)
	}
	for _, a := range am {
		if a["id"] == a1 && (a["status"] != "accepted" || len(a["opposers"].([]any)) != 1 || len(a["supporters"].([]any)) != 1) {
			t.Fatalf("the accepted amendment: %v", a)
		}
	}
	h.ok("draft", "decide", am[len(am)-1]["id"].(string), "accepted") // the added paragraph
	show := h.ok("draft", "show")
	if !strings.Contains(show, "2 bis") || !strings.Contains(show, "Fortalecer y financiar") {
		t.Fatalf("the draft after the decisions:\n%s", show)
	}
	h.ok("draft", "status", "3", "agreed-ad-ref")
	rev := h.ok("draft", "revise", "--name", "Secretaría Técnica")
	if !strings.Contains(rev, "issued Rev.1") || !strings.Contains(rev, "3: added") {
		t.Fatalf("revise: %s", rev)
	}
	if old := h.ok("draft", "show", "--rev", "0"); strings.Contains(old, "financiar") {
		t.Fatalf("the zero draft changed:\n%s", old)
	}
	hist := h.ok("draft", "history", "2")
	if !strings.Contains(hist, "zero draft: 2 [open] Fortalecer los sistemas") || !strings.Contains(hist, "Rev.1: 2 [open] Fortalecer y financiar") || !strings.Contains(hist, "amendments "+a1) {
		t.Fatalf("history of paragraph 2:\n%s", hist)
	}
	cmp := h.ok("draft", "compare", "0", "1")
	if !strings.Contains(cmp, "Fortalecer {+y financiar +}los") || !strings.Contains(cmp, "— → 3 (added)") || !strings.Contains(cmp, "3 → 4 (status)") {
		t.Fatalf("compare:\n%s", cmp)
	}
	if _, errs, code := h.run("", "draft", "show", "--rev", "7"); code != 2 || !strings.Contains(errs, "no Rev.7") {
		t.Fatalf("a revision that is not there: %d %s", code, errs)
	}
	// The records list is still notes and proposals only.
	if recs := h.listJSON(); len(recs) != 0 {
		t.Fatalf("list shows drafting records: %v", recs)
	}
	// A rapporteur marks where proposals went; the rest is listed.
	p1 := h.ok("add", "proposal", "--title", "Financiar el asilo", "--body", "Texto.", "--theme", "broad-protection")
	p2 := h.ok("add", "proposal", "--title", "Registro tardío", "--body", "Texto.", "--theme", "broad-protection")
	h.ok("draft", "take", "2", "--source", p1)
	if out := h.ok("draft", "where", p1); !strings.Contains(out, "paragraph 2 of") {
		t.Fatalf("where p1 went: %s", out)
	}
	if out := h.ok("draft", "where", p2); !strings.Contains(out, "not taken into") {
		t.Fatalf("where p2 went: %s", out)
	}
	if out := h.ok("draft", "unreflected"); !strings.Contains(out, p2) || strings.Contains(out, p1) || !strings.Contains(out, "1 proposals and inputs") {
		t.Fatalf("unreflected:\n%s", out)
	}
}

func TestDraftImportRefusesBadFiles(t *testing.T) {
	h := newHarness(t)
	h.ok("init", "--title", "Cartagena +40")
	bad := filepath.Join(t.TempDir(), "borrador.docx")
	if err := os.WriteFile(bad, []byte("PK\x03\x04 not really a zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errs, code := h.run("", "draft", "import", bad)
	if code != 2 || !strings.Contains(errs, "borrador.docx") {
		t.Fatalf("a broken DOCX: exit %d: %s", code, errs)
	}
	if out := h.ok("draft", "list"); !strings.Contains(out, "no drafts yet") {
		t.Fatalf("a refused file wrote a draft: %s", out)
	}
}
