package e2e

import (
	"archive/zip"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cartagena-c40/consulta/ui/desktop"
)

// The journeys of the three roles, each from start to Ctrl+Q, then what the
// store holds read back through the command line.

// TestFirstRunWithSampleData: the secretariat's first start on a new laptop.
func TestFirstRunWithSampleData(t *testing.T) {
	need(t)
	data := filepath.Join(t.TempDir(), "data")
	r := startApp(t, data)
	r.wait(mainWin, text("Button", "Create workspace"))
	r.screenshot("first-run")
	r.fill(mainWin, r.beside(mainWin, "Consultation process", "Entry"), "Cartagena +40 — Consulta Andina")
	r.fill(mainWin, r.beside(mainWin, "Your name", "Entry"), "Ana Quispe")
	r.fill(mainWin, r.beside(mainWin, "Organization", "Entry"), "Secretaría Técnica")
	r.click(mainWin, prefix("Check", "Load sample data"))
	r.wait(mainWin, match{"Check", func(n desktop.ProbeNode) bool { return strings.HasPrefix(n.Text, "Load sample data") && n.Checked }, "sample data ticked"})
	r.click(mainWin, text("Button", "Create workspace"))
	r.wait(mainWin, text("Tab", "Records"))
	n, _ := r.wait(mainWin, match{"Label", func(n desktop.ProbeNode) bool {
		return strings.HasPrefix(n.Text, "Records: ") && n.Text != "Records: 0"
	}, "records loaded"})
	r.screenshot("sample-data")
	r.quit()

	shown, _ := strconv.Atoi(strings.TrimPrefix(n.Text, "Records: "))
	if got := len(list(t, data)); got < shown || shown < 100 {
		t.Fatalf("the window showed %d records, the store lists %d", shown, got)
	}
	if out := cli(t, data, "check"); !strings.Contains(out, "no problems found") {
		t.Fatalf("check: %s", out)
	}
	if out := cli(t, data, "draft", "list"); !strings.Contains(out, "plan-of-action") {
		t.Fatalf("the sample data has no draft plan: %s", out)
	}
}

// TestDelegateNote: a delegate takes a note with every field set through
// its own control, each drop-down opened and a value picked.
func TestDelegateNote(t *testing.T) {
	data := workspace(t, 300)
	r := startApp(t, data)
	r.waitCount(300)
	r.key("ctrl+n")
	r.wait(mainWin, text("Label", "New note"))
	title := "Acceso a documentación en Tacna"
	body := "Las personas refugiadas piden que la oficina de migración atienda también en quechua y aymara; ¿cuándo?"
	r.fill(mainWin, hint("Entry", "Title"), title)
	r.fill(mainWin, hint("Entry", "Type the note here"), body)

	meeting, _ := r.wait(mainWin, hint("Select", "No meeting"))
	if len(meeting.Options) < 2 {
		t.Fatalf("no meeting to pick: %q", meeting.Options)
	}
	r.pick(mainWin, hint("Select", "No meeting"), meeting.Options[1])
	r.pick(mainWin, hint("Select", "No sub-region"), "Andean region")
	r.pick(mainWin, hint("Select", "No country"), "Peru")
	group, _ := r.wait(mainWin, hint("Select", "None"))
	r.pick(mainWin, hint("Select", "None"), group.Options[2])
	r.screenshot("form-picked")

	labelX := func() float32 { l, _ := r.wait(mainWin, text("Label", "Themes")); return l.X + 20 }()
	r.tick(mainWin, groupWith("Regional and sub-regional approach"), "Regional and sub-regional approach", labelX)
	r.tick(mainWin, groupWith("    Quality Asylum"), "    Quality Asylum", labelX)
	pops, _ := r.wait(mainWin, r.beside(mainWin, "Populations", "CheckGroup"))
	r.tick(mainWin, groupWith(pops.Options[0]), pops.Options[0], labelX)
	tags, _ := r.wait(mainWin, r.beside(mainWin, "Age, gender and diversity", "CheckGroup"))
	r.tick(mainWin, groupWith(tags.Options[1]), tags.Options[1], labelX)
	r.fill(mainWin, r.beside(mainWin, "Author", "Entry"), "Jorge Peña")
	r.fill(mainWin, r.beside(mainWin, "Organization", "Entry"), "Red Andina de Migraciones")
	r.pick(mainWin, r.beside(mainWin, "Language", "Select"), "Español")
	r.screenshot("form-filled")
	r.key("ctrl+s")
	r.wait(mainWin, text("Label", title)) // the detail pane shows the saved note
	r.waitCount(301)
	r.screenshot("saved")
	r.quit()

	var got *record
	for _, rec := range list(t, data, "--kind", "note") {
		if rec.Title == title {
			got = &rec
		}
	}
	if got == nil {
		t.Fatal("the note is not in the store")
	}
	if got.Body != body || got.SubRegion != "andes" || got.Country != "PE" || got.Meeting == "" || got.Stakeholder == "" ||
		got.Lang != "es" || got.Author != "Jorge Peña" || len(got.Populations) != 1 || len(got.Tags) != 1 ||
		!slices.Contains(got.Themes, "regional-approach") || len(got.Themes) != 2 {
		t.Fatalf("the stored note differs from what was typed and picked: %+v", *got)
	}
}

// TestSearchAndFilters: a rapporteur narrows the list by words and by
// sub-region, and the count says what the command line counts; beside
// another sub-region stands what ticking it would add.
func TestSearchAndFilters(t *testing.T) {
	data := workspace(t, 300)
	words := len(list(t, data, "--text", "asilo"))
	both := len(list(t, data, "--text", "asilo", "--subregion", "andes"))
	meso := len(list(t, data, "--text", "asilo", "--subregion", "mesoamerica"))
	if words == 0 || both == 0 || both == words || meso == 0 {
		t.Fatalf("sample data gives no useful counts: %d, %d, %d", words, both, meso)
	}
	r := startApp(t, data)
	r.waitCount(300)
	r.key("ctrl+f")
	r.typeText("asilo")
	r.waitCount(words)
	r.click(mainWin, match{"Check", func(n desktop.ProbeNode) bool { return strings.HasSuffix(n.Text, ") Andean region") }, "Andean region"})
	r.waitCount(both)
	r.wait(mainWin, text("Check", fmt.Sprintf("(%d) Mesoamerica", meso)))
	r.screenshot("filtered")
	r.click(mainWin, text("Button", "Clear filters"))
	r.waitCount(words) // the words stay: they are not a filter of the column
	r.click(mainWin, hint("Entry", "Search titles"))
	r.key("ctrl+a", "BackSpace")
	r.waitCount(300)
	r.quit()
}

// proposals opens the filter column's Kind section and ticks Proposal.
func (r *running) proposals() {
	r.t.Helper()
	r.click(mainWin, text("AccordionHeader", "Kind"))
	r.click(mainWin, match{"Check", func(n desktop.ProbeNode) bool { return strings.HasSuffix(n.Text, ") Proposal") }, "Proposal"})
	r.wait(mainWin, match{"Check", func(n desktop.ProbeNode) bool { return strings.HasSuffix(n.Text, ") Proposal") && n.Checked }, "Proposal ticked"})
}

// tickRows ticks the boxes of the first n visible rows of the list.
func (r *running) tickRows(n int) []string {
	r.t.Helper()
	var titles []string
	for i := 0; i < n; i++ {
		var row desktop.ProbeNode
		ws := r.waitFor("rows", func(ws []desktop.ProbeWindow) bool {
			k := 0
			for _, w := range ws[:1] {
				for _, nd := range w.Nodes {
					if nd.Type == "RecordRow" && !nd.Hidden && nd.VH >= nd.H-1 {
						if k == i {
							row = nd
							return true
						}
						k++
					}
				}
			}
			return false
		})
		r.pointAt(ws[0].Title, row.X+18, row.Y+row.H/2)
		xdo(r.t, "click", "1")
		titles = append(titles, row.Text)
		r.wait(mainWin, match{"RecordRow", func(nd desktop.ProbeNode) bool { return nd.Text == row.Text && nd.Checked }, "row ticked"})
	}
	return titles
}

// TestRapporteurMerge: select two proposals and merge them.
func TestRapporteurMerge(t *testing.T) {
	data := workspace(t, 300)
	r := startApp(t, data)
	r.proposals()
	r.tickRows(2)
	r.click(mainWin, text("Button", "Merge (2)"))
	r.wait("Merge 2", hint("Entry", "Title of the consolidated proposal"))
	r.screenshot("merge")
	consolidated := "Propuesta consolidada: registro y documentación"
	r.fill("Merge 2", hint("Entry", "Title of the consolidated proposal"), consolidated)
	r.click("Merge 2", text("Button", "Merge"))
	r.waitFor("the merge window to close", func(ws []desktop.ProbeWindow) bool {
		for _, w := range ws {
			if strings.HasPrefix(w.Title, "Merge 2") {
				return false
			}
		}
		return true
	})
	r.quit()

	for _, rec := range list(t, data, "--kind", "proposal") {
		if rec.Title == consolidated {
			if len(rec.Sources) != 2 {
				t.Fatalf("the consolidated proposal has sources %v", rec.Sources)
			}
			for _, id := range rec.Sources {
				if s := show(t, data, id); s.Status != "merged" {
					t.Fatalf("source %s is %s, not merged", id, s.Status)
				}
			}
			return
		}
	}
	t.Fatal("no consolidated proposal in the store")
}

// TestResolveConflict: two laptops edit the same paragraph offline and
// sync; the rapporteur keeps one version in the window.
func TestResolveConflict(t *testing.T) {
	need(t)
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	cli(t, a, "init", "--title", "Consulta Andina")
	id := strings.TrimSpace(cli(t, a, "add", "proposal", "--title", "Protección internacional", "--subregion", "andes", "--theme", "broad-protection",
		"--body", "Garantizar el acceso al territorio.\n\nFortalecer los sistemas de asilo."))
	code := regexp.MustCompile(`([0-9A-Z]{4}-){13}[0-9A-Z]{4}`).FindString(cli(t, a, "invite"))
	addr := freePort(t)
	stop := serve(t, a, addr)
	cli(t, b, "join", code, "--peer", addr, "--no-mdns")
	cli(t, b, "sync", "--once", "--peer", addr, "--no-mdns")
	stop()
	// b edits a's text and settles the conflict: the secretariat's role,
	// which the founder gives.
	cli(t, a, "grant", strings.Fields(cli(t, b, "whoami"))[0], "secretariat")
	stop = serve(t, a, addr)
	cli(t, b, "sync", "--once", "--peer", addr, "--no-mdns")
	stop()
	cli(t, a, "edit", id, "--body", "Garantizar el acceso al territorio sin rechazo en frontera.\n\nFortalecer los sistemas de asilo.")
	cli(t, b, "edit", id, "--body", "Garantizar el acceso seguro al territorio.\n\nFortalecer los sistemas de asilo.")
	stop = serve(t, a, addr)
	cli(t, b, "sync", "--once", "--peer", addr, "--no-mdns")
	stop()
	if len(show(t, b, id).Conflict) != 2 {
		t.Fatal("the set-up made no conflict")
	}

	r := startApp(t, b)
	r.click(mainWin, prefix("Check", "Needs attention"))
	r.waitCount(1)
	row, _ := r.wait(mainWin, match{"RecordRow", func(n desktop.ProbeNode) bool { return !n.Hidden }, "the row"})
	r.clickNode(r.tree[0].Title, row, 1)
	r.click(mainWin, text("Button", "Resolve the conflict"))
	r.wait("Conflict", text("Button", "Keep version 1"))
	r.screenshot("conflict")
	r.click("Conflict", text("Button", "Keep version 1"))
	r.waitFor("the conflict window to close", func(ws []desktop.ProbeWindow) bool {
		for _, w := range ws {
			if strings.HasPrefix(w.Title, "Conflict") {
				return false
			}
		}
		return true
	})
	r.quit()
	if got := show(t, b, id); len(got.Conflict) != 0 || !strings.HasPrefix(got.Body, "Garantizar el acceso") {
		t.Fatalf("not resolved: %+v", got)
	}
}

// TestCommentAndSupport: a delegate supports a proposal and comments on it.
func TestCommentAndSupport(t *testing.T) {
	data := workspace(t, 300)
	r := startApp(t, data)
	r.proposals()
	row, _ := r.wait(mainWin, match{"RecordRow", func(n desktop.ProbeNode) bool { return !n.Hidden && !strings.HasPrefix(n.Text, "⚠") }, "a row"})
	r.pointAt(r.tree[0].Title, row.X+row.W/2, row.Y+row.H/2)
	xdo(t, "click", "1")
	r.click(mainWin, text("Button", "Support"))
	r.wait(mainWin, text("Button", "Withdraw support"))
	r.click(mainWin, text("Button", "Comment"))
	r.wait(mainWin, prefix("Entry", "Re: "))
	comment := "Apoyamos la propuesta; sugerimos añadir plazos."
	r.fill(mainWin, r.beside(mainWin, "Text", "Entry"), comment)
	r.key("ctrl+s")
	r.wait(mainWin, text("Label", comment)) // the saved comment is shown
	r.screenshot("commented")
	r.quit()

	for _, rec := range list(t, data, "--kind", "proposal") {
		if rec.Title == row.Text {
			if rec.Supporters < 1 || rec.Comments != 1 {
				t.Fatalf("after support and comment: %d supporters, %d comments", rec.Supporters, rec.Comments)
			}
			return
		}
	}
	t.Fatalf("proposal %q not found", row.Text)
}

// TestExportEachFormat: the secretariat exports every format from the
// Export window, and each file is read back by something that did not
// write it.
func TestExportEachFormat(t *testing.T) {
	data := workspace(t, 300)
	dir := t.TempDir()
	r := startApp(t, data)
	r.click(mainWin, text("Button", "Export"))
	r.wait("Export", hint("Select", ""))
	// In a fixed order, so that a failure can be run again as it was.
	formats := []struct{ label, ext string }{{"DOCX (Word, LibreOffice)", "docx"}, {"PDF", "pdf"},
		{"JSON (Consulta, full fidelity)", "json"}, {"XLSX (Excel, LibreOffice Calc)", "xlsx"},
		{"CSV", "csv"}, {"Markdown", "md"}}
	format := match{"Select", func(n desktop.ProbeNode) bool { return slices.Contains(n.Options, "PDF") }, "the format"}
	for _, f := range formats {
		r.pick("Export", format, f.label)
		path := filepath.Join(dir, "consolidado."+f.ext)
		r.fill("Export", r.beside("Export", "Save as", "Entry"), path)
		r.click("Export", text("Button", "Export"))
		// An export is real work: on a busy machine it may take longer
		// than a widget takes to appear.
		r.waitWithin(time.Minute, "Export", prefix("Label", "Saved: "+path))
		checkExport(t, path, f.ext)
	}
	r.screenshot("export")
	r.click("Export", text("Button", "Close"))
	r.quit()
}

// checkExport reads an export back with a reader of its own.
func checkExport(t *testing.T, path, ext string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil || len(b) < 100 {
		t.Fatalf("%s: %v (%d bytes)", path, err, len(b))
	}
	switch ext {
	case "docx", "xlsx":
		z, err := zip.OpenReader(path)
		if err != nil {
			t.Fatalf("%s is not a zip: %v", path, err)
		}
		defer z.Close()
		want := map[string]string{"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}[ext]
		if !slices.ContainsFunc(z.File, func(f *zip.File) bool { return f.Name == want }) {
			t.Fatalf("%s has no %s", path, want)
		}
	case "pdf":
		if out, err := exec.Command("pdftotext", path, "-").Output(); err == nil && len(out) < 100 {
			t.Fatalf("pdftotext reads %d bytes from %s", len(out), path)
		}
	case "csv":
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(b), "\ufeff"))).ReadAll()
		if err != nil || len(rows) < 2 {
			t.Fatalf("%s: %v, %d rows", path, err, len(rows))
		}
	case "json":
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	case "md":
		if !strings.Contains(string(b), "# ") {
			t.Fatalf("%s has no heading", path)
		}
	}
}

// TestPeersInviteSettingsBackupProtect: the secretariat's tools.
func TestPeersInviteSettingsBackupProtect(t *testing.T) {
	data := workspace(t, 100)
	r := startApp(t, data)
	r.tab("People")
	r.click(mainWin, text("Button", "Invite a laptop"))
	r.wait(mainWin, text("Button", "Close"))
	r.screenshot("invite")
	r.click(mainWin, text("Button", "Close"))
	r.tab("Records")

	r.click(mainWin, match{"Button", func(n desktop.ProbeNode) bool { return n.Text == "" && n.Y < 120 }, "the settings button"})
	r.fill(mainWin, r.beside(mainWin, "Your name", "Entry"), "Secretaría Técnica ACNUR")
	r.click(mainWin, text("Button", "Save"))
	r.waitFor("the settings to close", func(ws []desktop.ProbeWindow) bool {
		_, _, open := find(ws, mainWin, text("Label", "Your name"))
		return !open
	})

	r.click(mainWin, text("Button", "Back up now"))
	r.wait(mainWin, text("Button", "OK"))
	r.screenshot("backup")
	r.click(mainWin, text("Button", "OK"))

	r.click(mainWin, match{"Button", func(n desktop.ProbeNode) bool { return n.Text == "" && n.Y < 120 }, "the settings button"})
	r.click(mainWin, text("Button", "Protect with a passphrase…"))
	pass := "frontera segura 2024"
	r.fill(mainWin, r.beside(mainWin, "New passphrase", "Entry"), pass)
	r.fill(mainWin, r.beside(mainWin, "Again", "Entry"), pass)
	r.click(mainWin, text("Button", "Protect"))
	r.wait(mainWin, prefix("Label", "The data is protected"))
	r.screenshot("protected")
	r.click(mainWin, text("Button", "OK"))
	r.quit()

	backups, _ := filepath.Glob(filepath.Join(r.home, "consulta-backup*.bak"))
	docs, _ := filepath.Glob(filepath.Join(r.home, "Documents", "consulta-backup*.bak"))
	if len(backups)+len(docs) == 0 {
		t.Fatal("no backup file was written")
	}
	if out, err := exec.Command(bin, "--data", data, "list").CombinedOutput(); err == nil {
		t.Fatalf("the protected store opened without its passphrase:\n%s", out)
	}
	cmd := exec.Command(bin, "--data", data, "list", "--limit", "1")
	cmd.Env = append(os.Environ(), "CONSULTA_PASSPHRASE="+pass)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the passphrase does not open the store: %v\n%s", err, out)
	}
}
