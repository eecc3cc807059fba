package cli

import (
	"fmt"
	"time"

	"github.com/cartagena-c40/consulta/app"
)

// recordJSON is a record as the CLI prints it with --json: snake_case keys,
// sets always arrays, times in RFC 3339. docs/CLI.md documents it.
type recordJSON struct {
	ID          string        `json:"id"`
	Kind        string        `json:"kind"`
	Title       string        `json:"title"`
	Body        string        `json:"body"`
	Lang        string        `json:"lang"`
	Meeting     string        `json:"meeting"`
	SubRegion   string        `json:"subregion"`
	Country     string        `json:"country"`
	Themes      []string      `json:"themes"`
	Stakeholder string        `json:"stakeholder"`
	Populations []string      `json:"populations"`
	Tags        []string      `json:"tags"`
	Status      string        `json:"status"`
	Author      string        `json:"author"`
	Org         string        `json:"org"`
	Venue       string        `json:"venue,omitempty"`
	Date        string        `json:"date,omitempty"`
	Device      string        `json:"device"`
	Created     time.Time     `json:"created"`
	Updated     time.Time     `json:"updated"`
	Sources     []string      `json:"sources"`
	MergedInto  []string      `json:"merged_into"`
	RepliesTo   string        `json:"replies_to,omitempty"`
	Version     string        `json:"version"`
	History     []historyItem `json:"history,omitempty"`
}

func toJSON(r *app.Record) recordJSON {
	return recordJSON{
		ID: string(r.ID), Kind: string(r.Kind), Title: r.Title, Body: r.Body, Lang: string(r.Lang),
		Meeting: string(r.Meeting), SubRegion: string(r.SubRegion), Country: string(r.Country),
		Themes: strs(r.Themes), Stakeholder: string(r.Stakeholder), Populations: strs(r.Populations),
		Tags: strs(r.Tags), Status: string(r.Status), Author: r.Author, Org: r.Org, Venue: r.Venue,
		Date: r.Date, Device: string(r.Device), Created: r.CreatedTime(), Updated: r.UpdatedTime(),
		Sources: strs(r.Sources), MergedInto: strs(r.MergedInto), RepliesTo: string(r.ReplyTo),
		Version: r.Version.String(),
	}
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
}

func historyJSON(ops []*app.Op) []historyItem {
	out := make([]historyItem, len(ops))
	for i, o := range ops {
		h := historyItem{Device: string(o.Device), Seq: o.Seq, Time: o.HLC.Time(), Type: string(o.Type), Patch: o.Patch}
		for _, b := range o.Base {
			h.Base = append(h.Base, b.String())
		}
		h.Summary = summarize(o.Patch)
		if o.Type == app.OpWithdraw {
			h.Summary = append(h.Summary, "withdrawn")
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
	return out
}
