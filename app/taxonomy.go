package app

import (
	"encoding/json"
	"fmt"
	"sync"

	"github.com/cartagena-c40/consulta/assets"
)

// Labels maps a language to a label in it.
type Labels map[Lang]string

// In returns the label in lang, falling back to Spanish, then English.
func (l Labels) In(lang Lang) string {
	if s, ok := l[lang]; ok && s != "" {
		return s
	}
	if s, ok := l["es"]; ok && s != "" {
		return s
	}
	return l["en"]
}

// Term is one entry of a taxonomy list: a stable code and its labels.
type Term struct {
	Code      string   `json:"code"`
	Labels    Labels   `json:"labels"`
	Children  []Term   `json:"children,omitempty"`  // themes only: sub-themes
	Countries []string `json:"countries,omitempty"` // sub-regions only
}

// Taxonomy is the classification of the Cartagena +40 process, loaded from
// assets/taxonomy.json, its single source of truth.
type Taxonomy struct {
	Version      int    `json:"version"`
	Source       string `json:"source"`
	Themes       []Term `json:"themes"`
	SubRegions   []Term `json:"subregions"`
	Countries    []Term `json:"countries"`
	Stakeholders []Term `json:"stakeholders"`
	Populations  []Term `json:"populations"`
	Tags         []Term `json:"tags"`

	parent   map[ThemeCode]ThemeCode
	ancestry map[ThemeCode][]ThemeCode
	themes   map[ThemeCode]*Term
	regionOf map[CountryCode]SubRegion
	byList   map[string]map[string]*Term
}

var (
	taxOnce sync.Once
	taxVal  *Taxonomy
	taxErr  error
)

// LoadTaxonomy returns the embedded taxonomy, parsed once.
func LoadTaxonomy() (*Taxonomy, error) {
	taxOnce.Do(func() { taxVal, taxErr = ParseTaxonomy(assets.TaxonomyJSON) })
	return taxVal, taxErr
}

// MustTaxonomy is LoadTaxonomy for callers that cannot go on without it.
func MustTaxonomy() *Taxonomy {
	t, err := LoadTaxonomy()
	if err != nil {
		panic(err)
	}
	return t
}

// ParseTaxonomy parses and indexes a taxonomy document.
func ParseTaxonomy(b []byte) (*Taxonomy, error) {
	var t Taxonomy
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("taxonomy: %w", err)
	}
	t.parent = map[ThemeCode]ThemeCode{}
	t.themes = map[ThemeCode]*Term{}
	t.regionOf = map[CountryCode]SubRegion{}
	t.byList = map[string]map[string]*Term{}
	var walk func(parent ThemeCode, terms []Term)
	walk = func(parent ThemeCode, terms []Term) {
		for i := range terms {
			c := ThemeCode(terms[i].Code)
			t.themes[c] = &terms[i]
			if parent != "" {
				t.parent[c] = parent
			}
			walk(c, terms[i].Children)
		}
	}
	walk("", t.Themes)
	t.ancestry = map[ThemeCode][]ThemeCode{}
	for c := range t.themes {
		var up []ThemeCode
		for p := t.parent[c]; p != ""; p = t.parent[p] {
			up = append(up, p)
		}
		t.ancestry[c] = up
	}
	for _, sr := range t.SubRegions {
		for _, c := range sr.Countries {
			t.regionOf[CountryCode(c)] = SubRegion(sr.Code)
		}
	}
	for name, list := range map[string][]Term{"subregions": t.SubRegions, "countries": t.Countries,
		"stakeholders": t.Stakeholders, "populations": t.Populations, "tags": t.Tags} {
		m := map[string]*Term{}
		for i := range list {
			m[list[i].Code] = &list[i]
		}
		t.byList[name] = m
	}
	if len(t.themes) == 0 || len(t.SubRegions) == 0 || len(t.Countries) == 0 {
		return nil, fmt.Errorf("taxonomy: themes, sub-regions and countries must not be empty")
	}
	return &t, nil
}

// Theme returns the theme with code c.
func (t *Taxonomy) Theme(c ThemeCode) (*Term, bool) {
	x, ok := t.themes[c]
	return x, ok
}

// Parent returns the parent theme of c, or "" for a top-level theme.
func (t *Taxonomy) Parent(c ThemeCode) ThemeCode { return t.parent[c] }

// Ancestors returns c's parent, grandparent and so on. The slice is shared:
// do not modify it.
func (t *Taxonomy) Ancestors(c ThemeCode) []ThemeCode { return t.ancestry[c] }

// WithDescendants returns c and every theme below it: filtering by a theme
// includes its sub-themes.
func (t *Taxonomy) WithDescendants(c ThemeCode) []ThemeCode {
	out := []ThemeCode{c}
	if x, ok := t.themes[c]; ok {
		var walk func([]Term)
		walk = func(ts []Term) {
			for _, ch := range ts {
				out = append(out, ThemeCode(ch.Code))
				walk(ch.Children)
			}
		}
		walk(x.Children)
	}
	return out
}

// ThemeCodes lists every theme code, parents before their children, in the
// taxonomy's order.
func (t *Taxonomy) ThemeCodes() []string {
	var out []string
	var walk func([]Term)
	walk = func(ts []Term) {
		for _, x := range ts {
			out = append(out, x.Code)
			walk(x.Children)
		}
	}
	walk(t.Themes)
	return out
}

// RegionOf returns the sub-region a country belongs to.
func (t *Taxonomy) RegionOf(c CountryCode) (SubRegion, bool) {
	r, ok := t.regionOf[c]
	return r, ok
}

// Lookup finds a term by code in one of the lists: "subregions", "countries",
// "stakeholders", "populations", "tags" or "themes".
func (t *Taxonomy) Lookup(list, code string) (*Term, bool) {
	if list == "themes" {
		return t.Theme(ThemeCode(code))
	}
	x, ok := t.byList[list][code]
	return x, ok
}

// Label returns the label of code in list in lang, or the code itself.
func (t *Taxonomy) Label(list, code string, lang Lang) string {
	if x, ok := t.Lookup(list, code); ok {
		return x.Labels.In(lang)
	}
	return code
}

// Codes lists the codes of a list, in the taxonomy's order.
func (t *Taxonomy) Codes(list string) []string {
	if list == "themes" {
		return t.ThemeCodes()
	}
	var terms []Term
	switch list {
	case "subregions":
		terms = t.SubRegions
	case "countries":
		terms = t.Countries
	case "stakeholders":
		terms = t.Stakeholders
	case "populations":
		terms = t.Populations
	case "tags":
		terms = t.Tags
	}
	out := make([]string, len(terms))
	for i, x := range terms {
		out[i] = x.Code
	}
	return out
}
