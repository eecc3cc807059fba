package export

import (
	"fmt"
	"strings"
	"time"

	"github.com/cartagena-c40/consulta/app"
)

// docWriter is what the consolidated document needs from a format: DOCX,
// PDF and Markdown each implement it, and render walks the report once for
// all of them, so the three documents hold the same things.
type docWriter interface {
	title(text string)
	line(label, value string) // a line of the title page
	contents(title string, entries []tocEntry)
	heading(level int, text string)
	para(text string)
	meta(text string) // a small line about a record: author, country, meeting, date
	table(header []string, rows [][]string)
	pageBreak()
}

// tocEntry is a line of the table of contents.
type tocEntry struct {
	Level int
	Text  string
}

// render writes the consolidated document.
func render(r *Report, w docWriter) {
	w.title(r.L("consolidated input") + " — " + r.Workspace.Title)
	w.line(r.L("workspace"), r.Workspace.Title)
	var ms []string
	for _, m := range r.Meetings {
		s := m.Title
		if m.Date != "" {
			s += " (" + m.Date + ")"
		}
		ms = append(ms, s)
	}
	if len(ms) == 0 {
		ms = []string{r.L("none")}
	}
	w.line(r.L("meetings"), strings.Join(ms, "; "))
	if r.From != "" {
		dates := r.From
		if r.To != r.From {
			dates += " – " + r.To
		}
		w.line(r.L("dates"), dates)
	}
	w.line(r.L("filter"), r.Filter)
	w.line(r.L("records"), fmt.Sprint(len(r.Records)))
	w.line(r.L("generated"), r.Generated.Format(time.DateTime))
	w.contents(r.L("contents"), r.toc())
	w.pageBreak()
	done := 0
	progress := func() {
		done++
		if p := r.Opts.Progress; p != nil && done%500 == 0 {
			p(len(r.Records)+done, 2*len(r.Records))
		}
	}
	// records writes a heading at level and the records under it.
	records := func(level int, title string, recs []*app.Record) {
		if len(recs) == 0 {
			return
		}
		w.heading(level, title)
		for _, rec := range recs {
			r.record(w, rec)
			progress()
		}
	}
	for _, ch := range r.Chapters {
		w.heading(1, ch.Title)
		for _, sec := range ch.Sections {
			w.heading(2, sec.Title)
			if len(sec.Consolidated) > 0 {
				w.heading(3, r.L("consolidated"))
				for _, c := range sec.Consolidated {
					r.record(w, c.Record)
					var srcs []string
					for _, s := range c.Sources {
						srcs = append(srcs, fmt.Sprintf("%s (%s, %s)", s.Title, app.Contributor(s), s.ID))
					}
					if len(srcs) > 0 {
						w.meta(r.L("sources") + ": " + strings.Join(srcs, "; "))
					}
					if len(c.Record.Contributors) > 0 {
						w.meta(r.L("contributors") + ": " + contributors(c.Record))
					}
					progress()
				}
			}
			records(3, r.L("proposals"), sec.Proposals)
			if len(sec.Inputs) > 0 {
				w.heading(3, r.L("inputs"))
				for _, g := range sec.Inputs {
					records(4, g.Title, g.Records)
				}
			}
			records(3, r.L("notes"), sec.Notes)
		}
	}
	w.pageBreak()
	w.heading(1, r.L("summary"))
	w.table(r.summaryHeader(), r.summaryRows())
	w.pageBreak()
	w.heading(1, r.L("annex"))
	w.table(r.annexHeader(), r.annexRows())
}

// record writes one record: its title as the lowest heading, a line about
// it, and its text paragraph by paragraph.
func (r *Report) record(w docWriter, rec *app.Record) {
	title := rec.Title
	if rec.Status == app.StatusWithdrawn {
		title += " (" + r.StatusLabel(rec.Status) + ")"
	}
	w.heading(5, title)
	w.meta(r.byline(rec))
	for _, p := range paragraphs(rec.Body) {
		w.para(p)
	}
}

func (r *Report) toc() []tocEntry {
	var out []tocEntry
	for _, ch := range r.Chapters {
		out = append(out, tocEntry{1, ch.Title})
		for _, sec := range ch.Sections {
			out = append(out, tocEntry{2, sec.Title})
		}
	}
	return append(out, tocEntry{1, r.L("summary")}, tocEntry{1, r.L("annex")})
}

func (r *Report) summaryHeader() []string {
	h := []string{r.L("theme")}
	for _, s := range r.Summary.SubRegions {
		h = append(h, r.Label("subregions", string(s)))
	}
	return append(h, r.L("total"))
}

func (r *Report) summaryRows() [][]string {
	var rows [][]string
	for _, row := range r.Summary.Rows {
		cells := []string{row.Title}
		for _, n := range row.Counts {
			cells = append(cells, fmt.Sprint(n))
		}
		rows = append(rows, cells)
	}
	total := []string{r.L("total")}
	for _, n := range r.Summary.Totals {
		total = append(total, fmt.Sprint(n))
	}
	return append(rows, total)
}

func (r *Report) annexHeader() []string {
	return []string{r.L("id"), r.L("kind"), r.L("author"), r.L("organization"), r.L("country"), r.L("meeting"), r.L("date")}
}

func (r *Report) annexRows() [][]string {
	rows := make([][]string, 0, len(r.Records))
	for _, rec := range r.Records {
		rows = append(rows, []string{string(rec.ID), r.KindLabel(rec.Kind), rec.Author, rec.Org,
			r.Label("countries", string(rec.Country)), r.MeetingTitle(rec), r.DateOf(rec)})
	}
	return rows
}
