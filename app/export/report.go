// Package export turns a workspace, or the part of it a filter selects,
// into what the secretariat works with: the consolidated document (DOCX,
// PDF, Markdown), spreadsheets (XLSX, CSV) and a full-fidelity JSON that
// Import reads back into another data directory.
//
// Collect gathers the records into a Report, organized the way the
// consolidated input reads: one chapter per theme of the taxonomy, in its
// order; within each, a section per sub-region; consolidated proposals
// first with their sources and contributors, then the other proposals,
// then stakeholder inputs grouped by stakeholder group, then notes when
// asked. Each writer renders the same Report.
package export

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cartagena-c40/consulta/app"
)

// Formats lists the formats Write knows.
var Formats = []string{"docx", "pdf", "xlsx", "csv", "json", "md"}

// Options says what to export and how.
type Options struct {
	Format           string
	Lang             app.Lang   // headings and labels; record text stays as written
	Filter           app.Filter // which records; the zero Filter is all
	IncludeNotes     bool       // notes are left out of the document unless asked
	IncludeWithdrawn bool       // withdrawn records are left out unless asked
	// Sensitive records are left out unless IncludeSensitive; Redact keeps
	// them with their text and author replaced by app.Redacted, so that
	// counts stay right.
	IncludeSensitive, Redact bool
	HXL                      bool // XLSX, CSV: a row of HXL hashtags under the header
	BOM                      bool // CSV: start with a UTF-8 byte order mark
	// Progress, if set, is called as records are gathered and written.
	Progress func(done, total int)
	// Now is the time printed as the export's; zero means time.Now().
	Now time.Time
}

// Report is what the documents show.
type Report struct {
	Workspace *app.Workspace
	Lang      app.Lang
	Tax       *app.Taxonomy
	Opts      Options
	Generated time.Time
	Filter    string        // the filter, in words
	Meetings  []*app.Record // the meetings the records come from, by date
	From, To  string        // the dates covered (YYYY-MM-DD), if known
	Records   []*app.Record // every record included, with its text: the annex, by kind then date
	Chapters  []*Chapter
	Summary   *Summary
	byID      map[app.RecordID]*app.Record
}

// Chapter is one theme of the taxonomy.
type Chapter struct {
	Theme    app.ThemeCode
	Title    string
	Sections []*Section
}

// Section is one sub-region within a chapter.
type Section struct {
	SubRegion    app.SubRegion
	Title        string
	Consolidated []*Consolidated
	Proposals    []*app.Record
	Inputs       []*InputGroup
	Notes        []*app.Record
}

// Consolidated is a proposal made by merging others, with those others.
type Consolidated struct {
	Record  *app.Record
	Sources []*app.Record
}

// InputGroup is the stakeholder inputs of one stakeholder group.
type InputGroup struct {
	Stakeholder app.StakeholderCode
	Title       string
	Records     []*app.Record
}

// Summary counts the records of the document by theme (each record under
// the chapter it appears in) and sub-region.
type Summary struct {
	SubRegions []app.SubRegion
	Rows       []SummaryRow
	Totals     []int // per sub-region, then the grand total
}

// SummaryRow is one theme's counts, per sub-region, then its total.
type SummaryRow struct {
	Theme  app.ThemeCode
	Title  string
	Counts []int
}

// L is the word for key in the report's language.
func (r *Report) L(key string) string { return label(r.Lang, key) }

// Label is a taxonomy label in the report's language.
func (r *Report) Label(list, code string) string {
	if code == "" {
		return ""
	}
	return r.Tax.Label(list, code, r.Lang)
}

// KindLabel and StatusLabel name a kind and a status.
func (r *Report) KindLabel(k app.Kind) string     { return r.L("kind/" + string(k)) }
func (r *Report) StatusLabel(s app.Status) string { return r.L("status/" + string(s)) }

// MeetingTitle is the title of record m's meeting, or "".
func (r *Report) MeetingTitle(rec *app.Record) string {
	if m := r.byID[rec.Meeting]; m != nil {
		return m.Title
	}
	return ""
}

// Collect gathers the records opts selects into a Report.
func Collect(svc *app.Service, opts Options) (*Report, error) {
	if opts.Lang == "" {
		opts.Lang = "es"
	}
	if _, err := app.ParseLang(string(opts.Lang)); err != nil {
		return nil, err
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	res, err := svc.List(opts.Filter, 0)
	if err != nil {
		return nil, err
	}
	rep := &Report{Workspace: svc.Workspace(), Lang: opts.Lang, Tax: svc.Taxonomy(), Opts: opts, Generated: now,
		byID: map[app.RecordID]*app.Record{}}
	if rep.Workspace == nil {
		return nil, &app.Error{Op: "export", Kind: app.NotInitialized, Msg: "no workspace here yet"}
	}
	rep.Filter = describe(rep, opts)
	total := len(res.Records)
	meetings := map[app.RecordID]bool{}
	for i, s := range res.Records {
		if opts.Progress != nil && i%500 == 0 {
			opts.Progress(i, 2*total)
		}
		switch {
		case s.Kind == app.KindComment, s.Kind == app.KindMeeting:
			continue // meetings are on the title page; comments stay in the app
		case s.Kind == app.KindNote && !opts.IncludeNotes:
			continue
		case s.Status == app.StatusWithdrawn && !opts.IncludeWithdrawn:
			continue
		case s.Sensitive && !opts.IncludeSensitive && !opts.Redact:
			continue
		}
		full, err := svc.Get(s.ID) // lists leave the text on disk
		if err != nil {
			return nil, err
		}
		if full.Sensitive && opts.Redact {
			full = redact(full)
		}
		rep.Records = append(rep.Records, full)
		rep.byID[full.ID] = full
		if full.Meeting != "" {
			meetings[full.Meeting] = true
		}
	}
	// Sources of consolidated proposals that the filter left out are still
	// listed with them.
	for _, rec := range slices.Clone(rep.Records) {
		for _, src := range rec.Sources {
			if rep.byID[src] == nil {
				if sr, err := svc.Get(src); err == nil {
					if sr.Sensitive && !opts.IncludeSensitive {
						sr = redact(sr)
					}
					rep.byID[src] = sr
				}
			}
		}
	}
	for id := range meetings {
		if m, err := svc.Get(id); err == nil {
			rep.Meetings = append(rep.Meetings, m)
			rep.byID[id] = m
			if m.Date != "" && (rep.From == "" || m.Date < rep.From) {
				rep.From = m.Date
			}
			if m.Date > rep.To {
				rep.To = m.Date
			}
		}
	}
	slices.SortFunc(rep.Meetings, func(a, b *app.Record) int {
		return strings.Compare(a.Date+a.Title, b.Date+b.Title)
	})
	kindOrder := func(k app.Kind) int { return slices.Index(app.Kinds, k) }
	slices.SortStableFunc(rep.Records, func(a, b *app.Record) int {
		if d := kindOrder(a.Kind) - kindOrder(b.Kind); d != 0 {
			return d
		}
		if a.Created != b.Created {
			if a.Created < b.Created {
				return -1
			}
			return 1
		}
		return strings.Compare(string(a.ID), string(b.ID))
	})
	rep.organize()
	return rep, nil
}

// chapterOf is the top-level theme a record appears under: the first of
// its themes in the taxonomy's order, taken up to its top level.
func (r *Report) chapterOf(rec *app.Record, order map[app.ThemeCode]int) app.ThemeCode {
	best, bestAt := app.ThemeCode(""), -1
	for _, t := range rec.Themes {
		top := t
		if anc := r.Tax.Ancestors(t); len(anc) > 0 {
			top = anc[len(anc)-1]
		}
		if at, ok := order[top]; ok && (bestAt < 0 || at < bestAt) {
			best, bestAt = top, at
		}
	}
	return best
}

func (r *Report) organize() {
	order := map[app.ThemeCode]int{}
	for i, t := range r.Tax.Themes {
		order[app.ThemeCode(t.Code)] = i
	}
	subregions := make([]app.SubRegion, 0, len(r.Tax.SubRegions))
	for _, s := range r.Tax.SubRegions {
		subregions = append(subregions, app.SubRegion(s.Code))
	}
	srIndex := func(s app.SubRegion) int {
		if i := slices.Index(subregions, s); i >= 0 {
			return i
		}
		return len(subregions) - 1
	}
	r.Summary = &Summary{SubRegions: subregions, Totals: make([]int, len(subregions)+1)}
	chapters := map[app.ThemeCode]*Chapter{}
	sections := map[[2]string]*Section{}
	counts := map[app.ThemeCode][]int{}
	merged := map[app.RecordID]bool{} // sources shown with their consolidated proposal
	for _, rec := range r.Records {
		if len(rec.Sources) > 0 && rec.Kind == app.KindProposal {
			for _, s := range rec.Sources {
				merged[s] = true
			}
		}
	}
	for _, rec := range r.Records {
		theme := r.chapterOf(rec, order)
		ch := chapters[theme]
		if ch == nil {
			ch = &Chapter{Theme: theme, Title: r.Label("themes", string(theme))}
			chapters[theme] = ch
			counts[theme] = make([]int, len(subregions)+1)
		}
		sr := rec.SubRegion
		if sr == "" {
			sr = "regional"
		}
		key := [2]string{string(theme), string(sr)}
		sec := sections[key]
		if sec == nil {
			sec = &Section{SubRegion: sr, Title: r.Label("subregions", string(sr))}
			sections[key] = sec
			ch.Sections = append(ch.Sections, sec)
		}
		switch {
		case rec.Kind == app.KindProposal && len(rec.Sources) > 0:
			c := &Consolidated{Record: rec}
			for _, s := range rec.Sources {
				if sr := r.byID[s]; sr != nil {
					c.Sources = append(c.Sources, sr)
				}
			}
			sec.Consolidated = append(sec.Consolidated, c)
		case rec.Kind == app.KindProposal && merged[rec.ID]:
			continue // shown with the consolidated proposal it went into
		case rec.Kind == app.KindProposal:
			sec.Proposals = append(sec.Proposals, rec)
		case rec.Kind == app.KindInput:
			g := groupOf(sec, rec.Stakeholder, r)
			g.Records = append(g.Records, rec)
		case rec.Kind == app.KindNote:
			sec.Notes = append(sec.Notes, rec)
		}
		counts[theme][srIndex(sr)]++
		counts[theme][len(subregions)]++
		r.Summary.Totals[srIndex(sr)]++
		r.Summary.Totals[len(subregions)]++
	}
	for _, t := range r.Tax.Themes {
		ch := chapters[app.ThemeCode(t.Code)]
		if ch == nil {
			continue
		}
		slices.SortStableFunc(ch.Sections, func(a, b *Section) int { return srIndex(a.SubRegion) - srIndex(b.SubRegion) })
		for _, sec := range ch.Sections {
			slices.SortStableFunc(sec.Inputs, func(a, b *InputGroup) int {
				return stakeholderIndex(r, a.Stakeholder) - stakeholderIndex(r, b.Stakeholder)
			})
		}
		r.Chapters = append(r.Chapters, ch)
		r.Summary.Rows = append(r.Summary.Rows, SummaryRow{Theme: ch.Theme, Title: ch.Title, Counts: counts[ch.Theme]})
	}
}

func groupOf(sec *Section, st app.StakeholderCode, r *Report) *InputGroup {
	for _, g := range sec.Inputs {
		if g.Stakeholder == st {
			return g
		}
	}
	title := r.Label("stakeholders", string(st))
	if st == "" {
		title = r.L("no group")
	}
	g := &InputGroup{Stakeholder: st, Title: title}
	sec.Inputs = append(sec.Inputs, g)
	return g
}

func stakeholderIndex(r *Report, st app.StakeholderCode) int {
	for i, s := range r.Tax.Stakeholders {
		if s.Code == string(st) {
			return i
		}
	}
	return len(r.Tax.Stakeholders)
}

// describe says in words which records the export holds.
func describe(r *Report, opts Options) string {
	f := opts.Filter
	var parts []string
	add := func(key, list string, codes []string) {
		if len(codes) == 0 {
			return
		}
		var ls []string
		for _, c := range codes {
			if list == "" {
				ls = append(ls, c)
			} else {
				ls = append(ls, r.Label(list, c))
			}
		}
		parts = append(parts, r.L(key)+": "+strings.Join(ls, ", "))
	}
	var kinds []string
	for _, k := range f.Kinds {
		kinds = append(kinds, r.KindLabel(app.Kind(k)))
	}
	add("kind", "", kinds)
	add("subregion", "subregions", f.SubRegions)
	add("country", "countries", f.Countries)
	add("themes", "themes", f.Themes)
	var statuses []string
	for _, s := range f.Statuses {
		statuses = append(statuses, r.StatusLabel(app.Status(s)))
	}
	add("status", "", statuses)
	add("stakeholder", "stakeholders", f.Stakeholders)
	add("populations", "populations", f.Populations)
	add("tags", "tags", f.Tags)
	add("author", "", f.Authors)
	add("meetings", "", f.Meetings)
	if f.Text != "" {
		parts = append(parts, fmt.Sprintf("%s: “%s”", r.L("text"), f.Text))
	}
	if len(parts) == 0 {
		parts = append(parts, r.L("all records"))
	}
	if opts.IncludeNotes {
		parts = append(parts, r.L("notes included"))
	}
	if opts.IncludeWithdrawn {
		parts = append(parts, r.L("withdrawn included"))
	}
	switch {
	case opts.Redact:
		parts = append(parts, r.L("sensitive redacted"))
	case opts.IncludeSensitive:
		parts = append(parts, r.L("sensitive included"))
	}
	return strings.Join(parts, "; ")
}

// Contributor lines, "Name (Organization)", of a consolidated proposal.
func contributors(rec *app.Record) string { return strings.Join(rec.Contributors, "; ") }

// byline is "Author (Organization) · Country · Meeting · Date".
func (r *Report) byline(rec *app.Record) string {
	var parts []string
	if c := app.Contributor(rec); c != "" {
		parts = append(parts, c)
	}
	if rec.Country != "" {
		parts = append(parts, r.Label("countries", string(rec.Country)))
	}
	if m := r.byID[rec.Meeting]; m != nil {
		parts = append(parts, m.Title)
	}
	parts = append(parts, r.DateOf(rec))
	if len(rec.Supporters) > 0 {
		parts = append(parts, fmt.Sprintf("%s: %d", r.L("supporters"), len(rec.Supporters)))
	}
	return strings.Join(parts, " · ")
}

// paragraphs splits a record's text into its paragraphs, without empty ones.
func paragraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// DateOf is the date of a record: its meeting's (when it was said) if it
// has one, else the day it was written.
func (r *Report) DateOf(rec *app.Record) string {
	if rec.Date != "" {
		return rec.Date
	}
	if m := r.byID[rec.Meeting]; m != nil && m.Date != "" {
		return m.Date
	}
	return rec.CreatedTime().Format(time.DateOnly)
}

// redact replaces what can name a person in a sensitive record: its title,
// text and author (and those of its competing versions and supporters).
// Kind, status, place, themes and groups stay, so counts stay right.
func redact(r *app.Record) *app.Record {
	c := *r
	c.Title, c.Body, c.Author = app.Redacted, app.Redacted, app.Redacted
	c.Conflict, c.Supporters, c.Contributors = nil, nil, nil
	return &c
}
