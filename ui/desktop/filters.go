package desktop

import (
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/cartagena-c40/consulta/app"
)

// facet is one filterable field in the filter panel: a check per value,
// each with a count. The counts of a field ticked in leave its own ticks
// out (app.FacetsPerField): beside a ticked value its own records, beside
// the others what ticking them adds; the other fields' ticks still count.
type facet struct {
	name   string
	codes  []string
	labels map[string]string
	checks map[string]*widget.Check
	picked []string
	box    *fyne.Container
}

// filterPanel is the left column: one section per field, with counts.
type filterPanel struct {
	u          *UI
	content    fyne.CanvasObject
	facets     map[string]*facet // by field: subregion, country, theme, ...
	meeting    *widget.Select
	meetingIDs []app.RecordID
	attention  *widget.Check // only records that need a rapporteur's look
	clear      *widget.Button
	apply      func(func(*app.Filter))
}

func newFilterPanel(u *UI, apply func(func(*app.Filter))) *filterPanel {
	p := &filterPanel{u: u, facets: map[string]*facet{}, apply: apply}
	tax := u.tax
	kinds := make([]string, len(app.Kinds))
	kindLabels := map[string]string{}
	for i, k := range app.Kinds {
		kinds[i] = string(k)
		kindLabels[string(k)] = u.kindLabel(k)
	}
	statuses := make([]string, len(app.Statuses))
	statusLabels := map[string]string{}
	for i, s := range app.Statuses {
		statuses[i] = string(s)
		statusLabels[string(s)] = u.statusLabel(s)
	}
	labelsOf := func(list string) map[string]string {
		m := map[string]string{}
		for _, c := range tax.Codes(list) {
			m[c] = u.label(list, c)
			if list == "themes" && tax.Parent(app.ThemeCode(c)) != "" {
				m[c] = "    " + m[c]
			}
		}
		return m
	}
	sections := []struct {
		name, title string
		codes       []string
		labels      map[string]string
		set         func(*app.Filter, []string)
	}{
		{"subregion", lang.L("Sub-region"), tax.Codes("subregions"), labelsOf("subregions"), func(f *app.Filter, v []string) { f.SubRegions = v }},
		{"theme", lang.L("Theme"), tax.Codes("themes"), labelsOf("themes"), func(f *app.Filter, v []string) { f.Themes = v }},
		{"kind", lang.L("Kind"), kinds, kindLabels, func(f *app.Filter, v []string) { f.Kinds = v }},
		{"status", lang.L("Status"), statuses, statusLabels, func(f *app.Filter, v []string) { f.Statuses = v }},
		{"country", lang.L("Country"), tax.Codes("countries"), labelsOf("countries"), func(f *app.Filter, v []string) { f.Countries = v }},
		{"stakeholder", lang.L("Stakeholder group"), tax.Codes("stakeholders"), labelsOf("stakeholders"), func(f *app.Filter, v []string) { f.Stakeholders = v }},
		{"population", lang.L("Population"), tax.Codes("populations"), labelsOf("populations"), func(f *app.Filter, v []string) { f.Populations = v }},
		{"tag", lang.L("Age, gender and diversity"), tax.Codes("tags"), labelsOf("tags"), func(f *app.Filter, v []string) { f.Tags = v }},
	}
	acc := widget.NewAccordion()
	acc.MultiOpen = true
	for _, s := range sections {
		fc := &facet{name: s.name, codes: s.codes, labels: s.labels, checks: map[string]*widget.Check{}, box: container.NewVBox()}
		set := s.set
		for _, code := range s.codes {
			code := code
			c := widget.NewCheck(fc.labels[code], func(on bool) {
				if on && !slices.Contains(fc.picked, code) {
					fc.picked = append(fc.picked, code)
				} else if !on {
					fc.picked = slices.DeleteFunc(fc.picked, func(x string) bool { return x == code })
				}
				picked := slices.Clone(fc.picked)
				p.apply(func(f *app.Filter) { set(f, picked) })
			})
			fc.checks[code] = c
			fc.box.Add(c)
		}
		p.facets[s.name] = fc
		item := widget.NewAccordionItem(s.title, fc.box)
		acc.Append(item)
	}
	acc.Open(0)
	acc.Open(1)

	p.meeting = widget.NewSelect(nil, func(s string) {
		i := slices.Index(p.meeting.Options, s)
		var ids []string
		if i > 0 && i-1 < len(p.meetingIDs) {
			ids = []string{string(p.meetingIDs[i-1])}
		}
		p.apply(func(f *app.Filter) { f.Meetings = ids })
	})
	p.meeting.PlaceHolder = lang.L("All meetings")
	p.clear = widget.NewButton(lang.L("Clear filters"), p.reset)
	p.attention = widget.NewCheck(lang.L("Needs attention (conflicts, double merges)"), func(on bool) {
		var reasons []string
		if on {
			reasons = app.AttentionReasons
		}
		p.apply(func(f *app.Filter) { f.Attention = reasons })
	})
	header := container.NewVBox(widget.NewLabelWithStyle(lang.L("Meeting"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), p.meeting, p.attention)
	// Scrolling both ways keeps long labels from widening the whole column.
	p.content = container.NewBorder(header, p.clear, nil, nil, container.NewScroll(acc))
	p.loadMeetings()
	return p
}

// loadMeetings fills the meeting choice, most recent first.
func (p *filterPanel) loadMeetings() {
	res, err := p.u.svc.List(app.Filter{Kinds: []string{string(app.KindMeeting)}}, 0)
	if err != nil {
		return
	}
	ms := slices.Clone(res.Records)
	slices.SortFunc(ms, func(a, b *app.Record) int {
		if a.Date != b.Date {
			return -cmpString(a.Date, b.Date)
		}
		return cmpString(a.Title, b.Title)
	})
	opts := []string{lang.L("All meetings")}
	p.meetingIDs = p.meetingIDs[:0]
	for _, m := range ms {
		opts = append(opts, meetingLabel(m))
		p.meetingIDs = append(p.meetingIDs, m.ID)
	}
	p.meeting.SetOptions(opts)
}

func meetingLabel(m *app.Record) string {
	if m.Date != "" {
		return fmt.Sprintf("%s (%s)", m.Title, m.Date)
	}
	return m.Title
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// update shows the counts of the current filter beside each value, each
// field's without its own ticks.
func (p *filterPanel) update(f *app.Facets) {
	counts := map[string]map[string]int{
		"subregion": f.SubRegion, "theme": f.Theme, "kind": f.Kind, "status": f.Status,
		"country": f.Country, "stakeholder": f.Stakeholder, "population": f.Population, "tag": f.Tag,
	}
	for name, fc := range p.facets {
		for _, code := range fc.codes {
			// The count goes first, so that a label cut by a narrow column
			// still shows it; the indent of a sub-theme goes before both.
			label := fc.labels[code]
			trimmed := strings.TrimLeft(label, " ")
			text := fmt.Sprintf("%s(%d) %s", label[:len(label)-len(trimmed)], counts[name][code], trimmed)
			if c := fc.checks[code]; c.Text != text {
				c.SetText(text)
			}
		}
	}
}

// pick sets the filter of one field to exactly codes, as if the user had
// ticked them: the dashboard uses it to open a cell.
func (p *filterPanel) pick(name string, codes ...string) {
	fc := p.facets[name]
	for _, code := range fc.codes {
		want := slices.Contains(codes, code)
		if fc.checks[code].Checked != want {
			fc.checks[code].SetChecked(want) // runs OnChanged, which applies
		}
	}
}

// reset clears every filter.
func (p *filterPanel) reset() {
	for name := range p.facets {
		p.pick(name)
	}
	p.meeting.ClearSelected()
	p.attention.SetChecked(false)
	p.apply(func(f *app.Filter) { *f = app.Filter{Text: f.Text} })
}
