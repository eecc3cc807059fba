package app

// SortField orders query results.
type SortField string

// The orders a query can ask for.
const (
	SortUpdated SortField = "updated" // most recently changed first
	SortCreated SortField = "created"
	SortTitle   SortField = "title"
)

// Query selects records. Within one field the values are alternatives (any
// of them matches); across fields all must match. Theme codes are matched
// exactly: Service.List expands a theme to its sub-themes before asking the
// store. Text matches records whose title or body contain every word, folded
// for case and accents; the last word also matches as a prefix.
type Query struct {
	Kinds        []Kind
	Meetings     []RecordID
	SubRegions   []SubRegion
	Countries    []CountryCode
	Themes       []ThemeCode
	Statuses     []Status
	Stakeholders []StakeholderCode
	Populations  []PopulationCode
	Tags         []TagCode
	Authors      []string
	RepliesTo    []RecordID // comments on these records
	Attention    []string   // records flagged for these reasons (Record.Attention)
	Text         string

	Sort   SortField // default SortUpdated
	Asc    bool      // ascending instead of the default descending order
	Offset int
	Limit  int       // 0 means no limit
	Facets FacetMode // which facet counts to compute: none unless set
}

// FacetMode says which facet counts a query computes.
type FacetMode uint8

// The facet counts a query can ask for.
const (
	NoFacets FacetMode = iota
	// FacetsPerField counts the values of each field over the records the
	// query selects without its own condition on that field (the other
	// fields' conditions and the words still apply): "disjunctive" facets,
	// as shops and library catalogues show them. Beside a value asked for
	// stands its own count; beside another value of the same field, how
	// many records the query would select with that value in place of the
	// field's selection: for a sub-region, what ticking it adds. A field
	// the query does not filter on is counted over the whole result.
	FacetsPerField
	// FacetsOfResult counts every field over the whole result, so that the
	// values of a field filtered on but not asked for count nothing: what
	// the filter column showed before it counted per field, kept as the
	// benchmarks' baseline.
	FacetsOfResult
)

// Facets counts records per value of each dimension, over what the query's
// FacetMode says. A record counts once under each of its themes and once
// under each ancestor of those themes.
type Facets struct {
	Kind        map[string]int `json:"kind"`
	Status      map[string]int `json:"status"`
	SubRegion   map[string]int `json:"subregion"`
	Country     map[string]int `json:"country"`
	Theme       map[string]int `json:"theme"`
	Meeting     map[string]int `json:"meeting"`
	Stakeholder map[string]int `json:"stakeholder"`
	Population  map[string]int `json:"population"`
	Tag         map[string]int `json:"tag"`
}

// NewFacets returns empty facet counts.
func NewFacets() *Facets {
	return &Facets{Kind: map[string]int{}, Status: map[string]int{}, SubRegion: map[string]int{},
		Country: map[string]int{}, Theme: map[string]int{}, Meeting: map[string]int{},
		Stakeholder: map[string]int{}, Population: map[string]int{}, Tag: map[string]int{}}
}

// Result is one page of a query. Records are shared, immutable snapshots
// without their bodies, which stay on disk (Service.Get reads a whole
// record): never modify them. Changed is closed when the result may have changed
// (a record matching or formerly matching the query was written).
type Result struct {
	Total   int
	Records []*Record
	Facets  *Facets
	Changed <-chan struct{}
}
