package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/cartagena-c40/consulta/ui/desktop"
)

// TestDraftAmendAndRevisions: the secretariat's sample plan (consulta demo
// writes one), a delegate opens the Draft tab, selects a paragraph,
// proposes an amendment through the form, withdraws it through the other
// decisions, and reads the zero draft and back; the store then holds the
// amendment, withdrawn, with its proponent and text.
func TestDraftAmendAndRevisions(t *testing.T) {
	data := workspace(t, 100)
	r := startApp(t, data)
	r.tab("Draft")
	row := match{"DraftRow", func(n desktop.ProbeNode) bool { return strings.HasPrefix(n.Text, "2 ·") && !n.Hidden }, "paragraph 2"}
	r.click(mainWin, row)
	r.wait(mainWin, text("Label", "Paragraph 2"))
	r.click(mainWin, text("Button", "Propose amendment"))
	r.wait(mainWin, prefix("Label", "Amendment to paragraph 2"))
	proposed := "Los Estados fortaleceran la proteccion internacional con enfoque de edad, genero y diversidad."
	r.fill(mainWin, r.beside(mainWin, "Text", "Entry"), proposed)
	r.fill(mainWin, r.beside(mainWin, "Organization", "Entry"), "Delegacion de Prueba")
	r.screenshot("amendment-typed")
	r.key("ctrl+s")
	mine := prefix("Label", "Modify · Delegacion de Prueba")
	r.wait(mainWin, mine)
	r.screenshot("amendment-saved")
	// Its proponent withdraws it: a decision through the form it opens.
	r.pick(mainWin, hint("Select", "Other decision"), "Withdrawn by its proponent")
	r.click(mainWin, text("Button", "Record the decision"))
	r.wait(mainWin, text("Text", "Withdrawn"))
	r.screenshot("amendment-withdrawn")

	views := match{"Select", func(n desktop.ProbeNode) bool { return containsOption(n.Options, "Current text") }, "the revision switcher"}
	r.pick(mainWin, views, "Rev.0 (zero draft)")
	r.wait(mainWin, text("Label", "Memorandum"))
	r.screenshot("zero-draft")
	r.pick(mainWin, views, "Current text")
	r.wait(mainWin, prefix("DraftRow", "1 ·"))
	r.quit()

	var ams []struct {
		Org    string `json:"organization"`
		Text   string `json:"text"`
		Number string `json:"paragraph_number"`
		Status string `json:"status"`
	}
	if err := json.Unmarshal([]byte(cli(t, data, "draft", "amendments", "--json")), &ams); err != nil {
		t.Fatal(err)
	}
	for _, a := range ams {
		if a.Org == "Delegacion de Prueba" {
			if a.Text != proposed || a.Number != "2" || a.Status != "withdrawn" {
				t.Fatalf("the amendment as stored: %+v", a)
			}
			return
		}
	}
	t.Fatalf("the amendment typed in the window is not in the store (%d amendments)", len(ams))
}

func containsOption(opts []string, o string) bool {
	for _, x := range opts {
		if x == o {
			return true
		}
	}
	return false
}
