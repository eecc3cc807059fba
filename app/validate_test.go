package app

import (
	"slices"
	"strings"
	"testing"
)

func TestTaxonomy(t *testing.T) {
	tax := MustTaxonomy()
	if got := tax.Codes("subregions"); !slices.Equal(got, []string{"andes", "mesoamerica", "caribbean", "southern-cone", "regional"}) {
		t.Fatalf("sub-regions = %v", got)
	}
	gc := tax.WithDescendants("global-compact")
	if len(gc) != 5 || gc[0] != "global-compact" {
		t.Fatalf("global-compact with sub-themes = %v, want itself and the four objectives", gc)
	}
	for _, c := range gc[1:] {
		if tax.Parent(c) != "global-compact" {
			t.Errorf("parent of %s = %q", c, tax.Parent(c))
		}
	}
	if len(tax.WithDescendants("future-outlook")) != 6 {
		t.Errorf("future-outlook should hold the five Mexico and Brazil Plan programmes")
	}
	if sr, ok := tax.RegionOf("BR"); !ok || sr != "southern-cone" {
		t.Errorf("BR is in %q", sr)
	}
	if sr, _ := tax.RegionOf("HT"); sr != "caribbean" {
		t.Errorf("HT is in %q", sr)
	}
	for _, l := range Languages {
		if tax.Label("themes", "broad-protection", l) == "broad-protection" {
			t.Errorf("no %s label for broad-protection", l)
		}
	}
	if _, ok := tax.RegionOf("US"); ok {
		t.Error("the United States is not a Latin American or Caribbean country")
	}
}

func TestValidatePatch(t *testing.T) {
	tax := MustTaxonomy()
	big := strings.Repeat("x", MaxBody+1)
	cases := []struct {
		name  string
		kind  Kind
		p     Patch
		field string // "" means valid
		valid string // a value the error must list
	}{
		{"ok", KindNote, Patch{Title: sp("Nota"), AddThemes: []ThemeCode{"broad-protection"}, Country: sp[CountryCode]("CO")}, "", ""},
		{"empty title", KindNote, Patch{Title: sp("  ")}, "title", ""},
		{"body too big", KindNote, Patch{Body: &big}, "body", ""},
		{"bad utf8", KindNote, Patch{Body: sp("\xff\xfe")}, "body", ""},
		{"unknown theme", KindNote, Patch{AddThemes: []ThemeCode{"nope"}}, "theme", "broad-protection"},
		{"unknown subregion", KindNote, Patch{SubRegion: sp[SubRegion]("europe")}, "subregion", "southern-cone"},
		{"country outside region", KindNote, Patch{Country: sp[CountryCode]("ES")}, "country", "CO"},
		{"lowercase country", KindNote, Patch{Country: sp[CountryCode]("co")}, "country", ""},
		{"unknown stakeholder", KindInput, Patch{Stakeholder: sp[StakeholderCode]("aliens")}, "stakeholder", "academia"},
		{"unknown population", KindInput, Patch{AddPops: []PopulationCode{"x"}}, "population", "refugees"},
		{"unknown tag", KindInput, Patch{AddTags: []TagCode{"x"}}, "tag", "children"},
		{"proposal status on note", KindNote, Patch{Status: sp(StatusAdopted)}, "status", "active"},
		{"proposal status", KindProposal, Patch{Status: sp(StatusAdopted)}, "", ""},
		{"bad date", KindMeeting, Patch{Date: sp("12/03/2024")}, "date", ""},
		{"bad lang", KindNote, Patch{Lang: sp[Lang]("de")}, "lang", "pt"},
		{"bad meeting id", KindNote, Patch{Meeting: sp[RecordID]("m1")}, "id", ""},
	}
	for _, c := range cases {
		err := tax.ValidatePatch(c.kind, &c.p)
		if c.field == "" {
			if err != nil {
				t.Errorf("%s: unexpected error %v", c.name, err)
			}
			continue
		}
		e, ok := err.(*Error)
		if !ok || e.Kind != Invalid || e.Field != c.field {
			t.Errorf("%s: got %v, want an Invalid error on %s", c.name, err, c.field)
			continue
		}
		if c.valid != "" && !slices.Contains(e.Valid, c.valid) {
			t.Errorf("%s: valid values %v should include %s", c.name, e.Valid, c.valid)
		}
	}
}

func TestValidateRecord(t *testing.T) {
	tax := MustTaxonomy()
	cases := []struct {
		name string
		r    Record
		ok   bool
	}{
		{"ok", Record{Kind: KindNote, Title: "t", Themes: []ThemeCode{"broad-protection"}, SubRegion: "andes", Country: "PE"}, true},
		{"meeting without theme", Record{Kind: KindMeeting, Title: "t"}, true},
		{"note without theme", Record{Kind: KindNote, Title: "t"}, false},
		{"country outside sub-region", Record{Kind: KindNote, Title: "t", Themes: []ThemeCode{"broad-protection"}, SubRegion: "andes", Country: "BR"}, false},
		{"regional takes any country", Record{Kind: KindNote, Title: "t", Themes: []ThemeCode{"broad-protection"}, SubRegion: "regional", Country: "BR"}, true},
		{"comment without target", Record{Kind: KindComment, Title: "t"}, false},
	}
	for _, c := range cases {
		if err := tax.ValidateRecord(&c.r); (err == nil) != c.ok {
			t.Errorf("%s: err = %v", c.name, err)
		}
	}
}

func TestWords(t *testing.T) {
	cases := map[string][]string{
		"Migración, MIGRACION y migracion": {"migracion"},
		"Integração local — São Paulo":     {"integracao", "local", "sao", "paulo"},
		"Apatridia: niñas y niños":         {"apatridia", "ninas", "ninos"},
		"L'asile à Port-au-Prince, 2024":   {"asile", "port", "au", "prince", "2024"},
		"ÉLÈVE Œuvre":                      {"eleve", "œuvre"},
		"e y o a":                          nil,
	}
	for in, want := range cases {
		if got := Words(in); !slices.Equal(got, want) {
			t.Errorf("Words(%q) = %q, want %q", in, got, want)
		}
	}
	// Decomposed input (combining accents) folds like precomposed input.
	if got := Words("migrac\u0327a\u0303o"); !slices.Equal(got, []string{"migracao"}) {
		t.Errorf("decomposed: %q", got)
	}
}

func TestSetChange(t *testing.T) {
	add, del := SetChange([]ThemeCode{"a", "b"}, []string{"b", "c"})
	if !slices.Equal(add, []ThemeCode{"c"}) || !slices.Equal(del, []ThemeCode{"a"}) {
		t.Fatalf("add %v del %v", add, del)
	}
	if add, del := SetChange[TagCode](nil, nil); add != nil || del != nil {
		t.Fatal("nothing to change")
	}
}
