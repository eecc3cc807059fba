package assets

import (
	"bytes"
	"encoding/json"
	"regexp"
	"sort"
	"testing"
)

type testEntry struct {
	Code   string            `json:"code"`
	Labels map[string]string `json:"labels"`
}

type testTheme struct {
	Code     string            `json:"code"`
	Labels   map[string]string `json:"labels"`
	Children []testTheme       `json:"children"`
}

type testSubregion struct {
	Code      string            `json:"code"`
	Labels    map[string]string `json:"labels"`
	Countries []string          `json:"countries"`
}

type testTaxonomy struct {
	Version      int             `json:"version"`
	Source       string          `json:"source"`
	Themes       []testTheme     `json:"themes"`
	Subregions   []testSubregion `json:"subregions"`
	Countries    []testEntry     `json:"countries"`
	Stakeholders []testEntry     `json:"stakeholders"`
	Populations  []testEntry     `json:"populations"`
	Tags         []testEntry     `json:"tags"`
}

var (
	languages      = []string{"es", "en", "pt", "fr"}
	codeRE         = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
	countryRE      = regexp.MustCompile(`^[A-Z]{2}$`)
	wantSubregions = []string{"andes", "mesoamerica", "caribbean", "southern-cone", "regional"}
)

func loadTaxonomy(t *testing.T) testTaxonomy {
	t.Helper()
	if len(TaxonomyJSON) == 0 {
		t.Fatal("TaxonomyJSON is empty")
	}
	if !json.Valid(TaxonomyJSON) {
		t.Fatal("taxonomy.json is not valid JSON")
	}
	dec := json.NewDecoder(bytes.NewReader(TaxonomyJSON))
	dec.DisallowUnknownFields()
	var tx testTaxonomy
	if err := dec.Decode(&tx); err != nil {
		t.Fatalf("taxonomy.json does not have the expected shape: %v", err)
	}
	return tx
}

func checkLabels(t *testing.T, kind, code string, labels map[string]string) {
	t.Helper()
	for _, lang := range languages {
		if labels[lang] == "" {
			t.Errorf("%s %q: missing or empty %q label", kind, code, lang)
		}
	}
	if len(labels) != len(languages) {
		t.Errorf("%s %q: has %d labels, want exactly %v", kind, code, len(labels), languages)
	}
}

func checkCode(t *testing.T, kind, code string, re *regexp.Regexp, seen map[string]bool) {
	t.Helper()
	if !re.MatchString(code) {
		t.Errorf("%s %q: code does not match %s", kind, code, re)
	}
	if seen[code] {
		t.Errorf("%s %q: duplicate code", kind, code)
	}
	seen[code] = true
}

func TestTaxonomyHeader(t *testing.T) {
	tx := loadTaxonomy(t)
	if tx.Version != 1 {
		t.Errorf("version = %d, want 1", tx.Version)
	}
	if tx.Source == "" {
		t.Error("source is empty")
	}
	for name, n := range map[string]int{
		"themes":       len(tx.Themes),
		"subregions":   len(tx.Subregions),
		"countries":    len(tx.Countries),
		"stakeholders": len(tx.Stakeholders),
		"populations":  len(tx.Populations),
		"tags":         len(tx.Tags),
	} {
		if n == 0 {
			t.Errorf("%s is empty", name)
		}
	}
}

func TestThemes(t *testing.T) {
	tx := loadTaxonomy(t)
	seen := map[string]bool{}
	for _, th := range tx.Themes {
		checkCode(t, "theme", th.Code, codeRE, seen)
		checkLabels(t, "theme", th.Code, th.Labels)
		for _, ch := range th.Children {
			checkCode(t, "theme", ch.Code, codeRE, seen)
			checkLabels(t, "theme", ch.Code, ch.Labels)
			if len(ch.Children) > 0 {
				t.Errorf("theme %q: sub-theme %q has children; only two levels are allowed", th.Code, ch.Code)
			}
		}
	}
}

func TestFlatLists(t *testing.T) {
	tx := loadTaxonomy(t)
	for _, list := range []struct {
		kind    string
		entries []testEntry
	}{
		{"stakeholder", tx.Stakeholders},
		{"population", tx.Populations},
		{"tag", tx.Tags},
	} {
		seen := map[string]bool{}
		for _, e := range list.entries {
			checkCode(t, list.kind, e.Code, codeRE, seen)
			checkLabels(t, list.kind, e.Code, e.Labels)
		}
	}
}

func TestCountries(t *testing.T) {
	tx := loadTaxonomy(t)
	seen := map[string]bool{}
	codes := make([]string, 0, len(tx.Countries))
	for _, c := range tx.Countries {
		checkCode(t, "country", c.Code, countryRE, seen)
		checkLabels(t, "country", c.Code, c.Labels)
		codes = append(codes, c.Code)
	}
	if !sort.StringsAreSorted(codes) {
		t.Errorf("countries are not sorted by code: %v", codes)
	}
}

func TestSubregions(t *testing.T) {
	tx := loadTaxonomy(t)

	got := make([]string, 0, len(tx.Subregions))
	seen := map[string]bool{}
	for _, s := range tx.Subregions {
		checkCode(t, "subregion", s.Code, codeRE, seen)
		checkLabels(t, "subregion", s.Code, s.Labels)
		got = append(got, s.Code)
	}
	if len(got) != len(wantSubregions) {
		t.Fatalf("subregion codes = %v, want %v", got, wantSubregions)
	}
	for i := range got {
		if got[i] != wantSubregions[i] {
			t.Fatalf("subregion codes = %v, want %v", got, wantSubregions)
		}
	}

	countries := map[string]bool{}
	for _, c := range tx.Countries {
		countries[c.Code] = true
	}
	owner := map[string]string{}
	for _, s := range tx.Subregions {
		if s.Code == "regional" {
			if len(s.Countries) != 0 {
				t.Errorf("subregion %q: countries = %v, want none", s.Code, s.Countries)
			}
			continue
		}
		if len(s.Countries) == 0 {
			t.Errorf("subregion %q has no countries", s.Code)
		}
		for _, c := range s.Countries {
			if !countries[c] {
				t.Errorf("subregion %q: country %q is not in countries", s.Code, c)
			}
			if prev, ok := owner[c]; ok {
				t.Errorf("country %q is in both %q and %q", c, prev, s.Code)
			}
			owner[c] = s.Code
		}
	}
	for _, c := range tx.Countries {
		if _, ok := owner[c.Code]; !ok {
			t.Errorf("country %q belongs to no sub-region", c.Code)
		}
	}
}
