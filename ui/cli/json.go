package cli

import (
	"fmt"
	"time"

	"github.com/cartagena-c40/consulta/app"
)

// recordJSON is a record as the CLI prints it with --json: snake_case keys,
// sets always arrays, times in RFC 3339. docs/CLI.md documents it.
type recordJSON struct {
	ID          string    `json:"id"`
	Kind        string    `json:"kind"`
	Title       string    `json:"title"`
	Body        string    `json:"body"`
	Lang        string    `json:"lang"`
	Meeting     string    `json:"meeting"`
	SubRegion   string    `json:"subregion"`
	Country     string    `json:"country"`
	Themes      []string  `json:"themes"`
	Stakeholder string    `json:"stakeholder"`
	Populations []string  `json:"populations"`
	Tags        []string  `json:"tags"`
	Status      string    `json:"status"`
	Author      string    `json:"author"`
	Org         string    `json:"org"`
	Venue       string    `json:"venue,omitempty"`
	Date        string    `json:"date,omitempty"`
	Device      string    `json:"device"`
	Created     time.Time `json:"created"`
	Updated     time.Time `json:"updated"`
	Sources     []string  `json:"sources"`
	MergedInto  []string  `json:"merged_into"`
	RepliesTo   string    `json:"replies_to,omitempty"`
	Version     string    `json:"version"`
	// Contributors: the authors and organizations a consolidated proposal
	// was merged from.
	Contributors []string `json:"contributors"`
	// Conflict: absent, or the competing versions of the body.
	Conflict    []versionJSON `json:"conflict,omitempty"`
	Attention   []string      `json:"attention"`
	Supporters  int           `json:"supporters"`
	SupportedBy []string      `json:"supported_by"`
	Comments    int           `json:"comments"`
	History     []historyItem `json:"history,omitempty"`
}

// versionJSON is one competing version of a body; take it with
// resolve --take N (N counts from 1 in this list).
type versionJSON struct {
	Body string `json:"body"`
	From string `json:"from"` // the edit (device/seq) whose change it keeps
}

// toJSON converts r, which has comments comments.
func toJSON(r *app.Record, comments int) recordJSON {
	j := recordJSON{
		ID: string(r.ID), Kind: string(r.Kind), Title: r.Title, Body: r.Body, Lang: string(r.Lang),
		Meeting: string(r.Meeting), SubRegion: string(r.SubRegion), Country: string(r.Country),
		Themes: strs(r.Themes), Stakeholder: string(r.Stakeholder), Populations: strs(r.Populations),
		Tags: strs(r.Tags), Status: string(r.Status), Author: r.Author, Org: r.Org, Venue: r.Venue,
		Date: r.Date, Device: string(r.Device), Created: r.CreatedTime(), Updated: r.UpdatedTime(),
		Sources: strs(r.Sources), MergedInto: strs(r.MergedInto), RepliesTo: string(r.ReplyTo),
		Version: r.Version.String(), Contributors: nonNil(r.Contributors), Attention: nonNil(r.Attention),
		Supporters: len(r.Supporters), SupportedBy: nonNil(r.Supporters), Comments: comments,
	}
	for _, v := range r.Conflict {
		j.Conflict = append(j.Conflict, versionJSON{Body: v.Body, From: v.From.String()})
	}
	return j
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
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
}

func historyJSON(steps []app.Step) []historyItem {
	out := make([]historyItem, len(steps))
	prev := ""
	for i, st := range steps {
		o := st.Op
		h := historyItem{Device: string(o.Device), Seq: o.Seq, Time: o.HLC.Time(), Type: string(o.Type), Patch: o.Patch}
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
