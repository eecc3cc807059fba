package cli

import (
	"fmt"
	"time"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/export"
)

// recordJSON is a record as the CLI prints it with --json (see
// export.Record; docs/CLI.md documents it), with its history when asked.
type recordJSON struct {
	export.Record
	History []historyItem `json:"history,omitempty"`
}

func toJSON(r *app.Record, comments int) recordJSON {
	return recordJSON{Record: export.RecordOf(r, comments)}
}

// fullJSON reads record id whole (lists leave bodies on disk) with its
// comment count, as --json prints it.
func (c *ctx) fullJSON(id app.RecordID) (recordJSON, error) {
	r, err := c.svc.Get(id)
	if err != nil {
		return recordJSON{}, err
	}
	n, err := c.svc.CommentCount(id)
	if err != nil {
		return recordJSON{}, err
	}
	return toJSON(r, n), nil
}

// historyItem is one operation of a record's history.
type historyItem struct {
	Device  string     `json:"device"`
	Seq     uint64     `json:"seq"`
	Time    time.Time  `json:"time"`
	Type    string     `json:"type"`
	Patch   *app.Patch `json:"changes,omitempty"`
	Base    []string   `json:"base,omitempty"`
	Summary []string   `json:"summary"`
	// Diff: the lines of the body this operation changed, "-" removed and
	// "+" added (absent when the body did not change).
	Diff []string `json:"diff,omitempty"`
	// Conflict: how many competing versions the body has after it (absent
	// when none).
	Conflict int `json:"conflict,omitempty"`
	// NotApplied: why the operation is kept but not applied (its author
	// had no role for it, or lost it); absent when it applies.
	NotApplied string `json:"not_applied,omitempty"`
}

func historyJSON(steps []app.Step) []historyItem {
	out := make([]historyItem, len(steps))
	prev := ""
	for i, st := range steps {
		o := st.Op
		t, _ := app.ShownTime(o.HLC, time.Now())
		h := historyItem{Device: string(o.Device), Seq: o.Seq, Time: t, Type: string(o.Type), Patch: o.Patch, NotApplied: st.NotApplied}
		for _, b := range o.Base {
			h.Base = append(h.Base, b.String())
		}
		h.Summary = summarize(o.Patch)
		if o.Type == app.OpWithdraw {
			h.Summary = append(h.Summary, "withdrawn")
		}
		if r := st.Record; r != nil {
			if r.Body != prev {
				for _, l := range app.Diff(prev, r.Body) {
					if l.Text == "" {
						continue // the blank lines between paragraphs
					}
					switch l.Kind {
					case app.DiffRemoved:
						h.Diff = append(h.Diff, "-"+l.Text)
					case app.DiffAdded:
						h.Diff = append(h.Diff, "+"+l.Text)
					}
				}
				prev = r.Body
			}
			h.Conflict = len(r.Conflict)
		}
		out[i] = h
	}
	return out
}

// summarize says in a few words what a patch changed.
func summarize(p *app.Patch) []string {
	if p == nil {
		return []string{}
	}
	out := []string{}
	s := func(name string, v *string) {
		if v != nil {
			out = append(out, fmt.Sprintf("%s=%q", name, clip(*v, 40)))
		}
	}
	s("title", p.Title)
	if p.Body != nil {
		out = append(out, fmt.Sprintf("body (%d characters)", len([]rune(*p.Body))))
	}
	s("author", p.Author)
	s("org", p.Org)
	s("venue", p.Venue)
	s("date", p.Date)
	s("lang", (*string)(p.Lang))
	s("meeting", (*string)(p.Meeting))
	s("subregion", (*string)(p.SubRegion))
	s("country", (*string)(p.Country))
	s("stakeholder", (*string)(p.Stakeholder))
	s("status", (*string)(p.Status))
	if p.Sensitive != nil {
		out = append(out, fmt.Sprintf("sensitive=%v", *p.Sensitive))
	}
	set := func(name string, add, del []string) {
		for _, a := range add {
			out = append(out, "+"+name+" "+a)
		}
		for _, d := range del {
			out = append(out, "-"+name+" "+d)
		}
	}
	set("theme", strs(p.AddThemes), strs(p.DelThemes))
	set("population", strs(p.AddPops), strs(p.DelPops))
	set("tag", strs(p.AddTags), strs(p.DelTags))
	set("source", strs(p.AddSources), strs(p.DelSources))
	set("merged into", strs(p.AddMerged), strs(p.DelMerged))
	set("contributor", p.AddContribs, p.DelContribs)
	set("supporter", p.AddSupport, p.DelSupport)
	return out
}
