package desktop

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/cartagena-c40/consulta/app"
)

// count reads the number a filter check shows before its label.
func count(t *testing.T, c *widget.Check) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscanf(strings.TrimLeft(c.Text, " "), "(%d)", &n); err != nil {
		t.Fatalf("no count in %q: %v", c.Text, err)
	}
	return n
}

// TestFilterCountsTellWhatATickAdds: with a sub-region ticked (and a theme,
// so that the counts are not the sub-regions' totals), each other
// sub-region shows how many records ticking it adds to the list, the ticked
// one its own records, and the other fields count the list.
func TestFilterCountsTellWhatATickAdds(t *testing.T) {
	svc := newStore(t, true)
	tax := svc.Taxonomy()
	subregions := tax.Codes("subregions")
	themes := []app.ThemeCode{"mpa-local-integration", "gcr-self-reliance", "broad-protection"}
	for i := range 60 {
		sr := app.SubRegion(subregions[i%len(subregions)])
		p := app.Patch{Title: sp(fmt.Sprint("Registro ", i)), SubRegion: &sr, AddThemes: themes[i%len(themes) : i%len(themes)+1]}
		if term, _ := tax.Lookup("subregions", string(sr)); len(term.Countries) > 0 {
			p.Country = sp(app.CountryCode(term.Countries[i%len(term.Countries)]))
		}
		if i%7 == 0 {
			p.AddThemes = append(p.AddThemes, "mpa-quality-asylum")
		}
		if _, err := svc.Create(app.Kinds[1+i%3], p); err != nil {
			t.Fatal(err)
		}
	}
	u := newTestUI(t, svc)
	b := u.browser
	sub := b.filters.facets["subregion"].checks
	test.Tap(b.filters.facets["theme"].checks["future-outlook"])
	test.Tap(sub["andes"])
	shown := len(b.records)
	if shown == 0 || shown == 60 {
		t.Fatalf("the andes within future-outlook show %d records", shown)
	}
	if n := count(t, sub["andes"]); n != shown {
		t.Errorf("the ticked sub-region counts %d, the list shows %d", n, shown)
	}
	kinds := 0
	for _, c := range b.filters.facets["kind"].checks {
		kinds += count(t, c)
	}
	if kinds != shown {
		t.Errorf("the kinds count %d records, the list shows %d", kinds, shown)
	}
	for _, code := range subregions {
		if code == "andes" {
			continue
		}
		c := sub[code]
		want := count(t, c)
		test.Tap(c)
		added := len(b.records) - shown
		test.Tap(c)
		if want == 0 || want != added {
			t.Errorf("%s shows %q; ticking it adds %d records", code, c.Text, added)
		}
	}
	if len(b.records) != shown {
		t.Fatalf("back to the andes: %d records, not %d", len(b.records), shown)
	}
}
