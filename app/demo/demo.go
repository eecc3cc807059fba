// Package demo generates deterministic, realistic sample data for Consulta:
// the meetings of the Cartagena+40 consultations and the notes, proposals,
// stakeholder inputs and comments delegates record in them, in Spanish,
// Portuguese, English and French.
//
// Generate builds the drafts; Load stores them through an app.Service. The
// same (n, seed) always gives the same drafts, ids included, so demo data,
// screenshots and benchmarks are reproducible. Every draft passes the
// service's validation: codes come from the taxonomy, a record's country
// belongs to its sub-region, and records refer only to meetings and
// proposals that come before them.
//
// The text is assembled from the phrase banks in text.go: sentences about
// the actual themes of the process (asylum systems, statelessness, labour
// inclusion, documentation, borders, climate displacement, gender-based
// violence, regularization, resettlement, local integration, data,
// financing, return, participation, regional cooperation), filled with
// countries, cities, people, organizations and figures, so that full-text
// search and facet filters have realistic material to work on.
package demo

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/cartagena-c40/consulta/app"
	"github.com/oklog/ulid/v2"
)

// The languages, as indexes into the phrase banks.
const (
	lES = iota
	lPT
	lEN
	lFR
	nLang
)

var langCodes = [nLang]app.Lang{"es", "pt", "en", "fr"}

// langTarget is the share of records in each language, in per mille.
var langTarget = [nLang]int{500, 200, 200, 100}

// The PCG streams: content and ids draw from separate sources, so that
// editing the phrase banks does not change the ids.
const (
	streamContent = 0x4361727461676e61 // "Cartagna"
	streamIDs     = 0x2b3430756c696473 // "+40ulids"
)

// The calendar of the generated data: records are created from start over
// span, meetings are held between meetingFirst and meetingLast.
var (
	start        = time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)
	span         = 280 * 24 * time.Hour
	meetingFirst = time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC)
	meetingLast  = time.Date(2024, 11, 29, 0, 0, 0, 0, time.UTC)
)

// Body lengths, in words.
const (
	minWords = 40
	maxWords = 250
)

// Generate returns n drafts built deterministically from seed: the same (n, seed) always gives
// the same drafts, including their IDs. Meetings come first in the slice; every other draft refers
// only to meetings (Patch.Meeting) or records (Patch.ReplyTo) that appear earlier in the slice.
//
// About one draft in 200 is a meeting (at least one per sub-region when
// n >= 5); of the rest about 45% are notes, 30% proposals, 20% stakeholder
// inputs and 5% comments on earlier proposals. tax is the taxonomy the codes
// are drawn from; nil means app.MustTaxonomy().
func Generate(tax *app.Taxonomy, n int, seed int64) []app.Draft {
	if n <= 0 {
		return nil
	}
	if tax == nil {
		tax = app.MustTaxonomy()
	}
	return newGen(tax, n, seed).run(n)
}

// Load generates n records and stores them through svc in batches of at most batch drafts
// (meetings in their own first batch(es), since a note's meeting must already be stored),
// calling progress(done, total) after each batch (progress may be nil). It returns the ids created.
//
// A draft goes into a batch only once the records it refers to are stored:
// Service.CreateMany looks a comment's proposal up in the store, so a
// comment on a proposal of the batch being filled waits for the next one.
// The ids are returned in the order they were stored: Generate's order,
// except for those comments. A batch below 1 means 500. On error, Load
// returns the ids stored so far with the error.
func Load(svc *app.Service, n int, seed int64, batch int, progress func(done, total int)) ([]app.RecordID, error) {
	if batch < 1 {
		batch = 500
	}
	drafts := Generate(svc.Taxonomy(), n, seed)
	total := len(drafts)
	ids := make([]app.RecordID, 0, total)
	stored := make(map[app.RecordID]bool, total)
	ready := func(d *app.Draft) bool {
		return (d.Patch.Meeting == nil || stored[*d.Patch.Meeting]) && (d.Patch.ReplyTo == nil || stored[*d.Patch.ReplyTo])
	}
	cur := make([]app.Draft, 0, min(batch, total))
	var waiting []app.Draft
	next := 0 // the first draft not yet in a batch or waiting
	for len(ids) < total {
		cur = cur[:0]
		// What waited goes first, in order, if it can go now.
		kept := waiting[:0]
		for _, d := range waiting {
			if len(cur) < batch && ready(&d) {
				cur = append(cur, d)
			} else {
				kept = append(kept, d)
			}
		}
		waiting = kept
		for len(cur) < batch && next < total {
			d := drafts[next]
			if len(cur) > 0 && cur[len(cur)-1].Kind == app.KindMeeting && d.Kind != app.KindMeeting {
				break // meetings go in batches of their own
			}
			next++
			if ready(&d) {
				cur = append(cur, d)
			} else {
				waiting = append(waiting, d)
			}
		}
		if len(cur) == 0 {
			return ids, fmt.Errorf("demo: %d drafts refer to records that are not generated", len(waiting))
		}
		got, err := svc.CreateMany(cur)
		if err != nil {
			return ids, fmt.Errorf("demo: storing records %d to %d of %d: %w", len(ids)+1, len(ids)+len(cur), total, err)
		}
		for _, id := range got {
			stored[id] = true
		}
		ids = append(ids, got...)
		if progress != nil {
			progress(len(ids), total)
		}
	}
	return ids, nil
}

// topic is a topicText with its codes checked against the taxonomy.
type topic struct {
	*topicText
	themes  []app.ThemeCode
	pops    []app.PopulationCode
	tags    []app.TagCode
	groups  []int // indexes into gen.groups
	actions []*[nLang]tmpl
	facts   []*[nLang]tmpl
	asks    []*[nLang]tmpl
}

// region is a sub-region and the places in it.
type region struct {
	code    app.SubRegion
	members []*place // nil: the whole region, any country
	weight  int
}

type meeting struct {
	id     app.RecordID
	region *region
	place  *place
	city   string
	lang   int
	topic  *topic // the subject of a thematic consultation, or nil
}

type proposal struct {
	id    app.RecordID
	title string
	m     *meeting
	lang  int
	topic *topic
}

// fields holds the scalar fields of a draft: its patch points into it. The
// fields of all drafts are allocated at once.
type fields struct {
	title, body, author, org, venue, date string
	lang                                  app.Lang
	region                                app.SubRegion
	country                               app.CountryCode
	meeting, replyTo                      app.RecordID
	status                                app.Status
	group                                 app.StakeholderCode
}

// bodyRef is a body written to gen.buf, to become *dst.
type bodyRef struct {
	dst      *string
	from, to int
}

// env is what a phrase's slots are filled from.
type env struct {
	lang   int
	t1, t2 *topic
	second bool // whether the record is also about t2, or only names it
	action int
	pl     *place
	city   string
	region string
	pop    string
	org    string
}

type gen struct {
	r   *rand.Rand
	ids idSource

	places     []*place // in the taxonomy's order
	placeW     []int
	byCode     map[app.CountryCode]*place
	regions    []*region
	regionW    []int
	topics     []*topic
	themes     []app.ThemeCode
	pops       []app.PopulationCode
	popLabel   [nLang]map[app.PopulationCode]string
	tags       []app.TagCode
	groups     []app.StakeholderCode
	groupW     []int
	groupOrgs  []*[nLang][]*tmpl // organization names, by group
	groupIntl  []bool            // whether the group's names follow the record's language
	state      int               // the index of "state" in groups, or -1
	academia   int               // the index of "academia", or -1
	intl       int               // the index of "international-organizations", or -1
	oe         env               // scratch for organization names
	statuses   []app.Status
	statusW    []int
	langW      [nLang]int
	regionName map[app.SubRegion][nLang]string

	meetings  []*meeting
	proposals []proposal
	titles    map[string]int

	vals      []fields // the drafts' scalar fields, which their patches point to
	themeSlab []app.ThemeCode
	popSlab   []app.PopulationCode
	tagSlab   []app.TagCode
	bodies    []bodyRef // bodies written in buf, not yet strings

	buf   []byte         // the bodies being written, and scratch space after them
	cands []*[nLang]tmpl // the phrases planned for the body being written
	used  []*[nLang]tmpl // the phrases in it so far
	opts  []*[nLang]tmpl // scratch for unused
}

// idSource makes time-ordered, reproducible ULIDs: each id is a little
// later than the one before, and its entropy comes from a seeded PCG.
type idSource struct {
	pcg *rand.PCG
	ms  uint64
	gap uint64 // the largest step between ids, in ms
}

// Read fills p from the PCG; it is the entropy of the ids.
func (s *idSource) Read(p []byte) (int, error) {
	for i := 0; i < len(p); i += 8 {
		v := s.pcg.Uint64()
		for j := 0; j < 8 && i+j < len(p); j++ {
			p[i+j] = byte(v >> (8 * j))
		}
	}
	return len(p), nil
}

func (s *idSource) next() app.RecordID {
	s.ms += 1 + s.pcg.Uint64()%s.gap
	return app.RecordID(ulid.MustNew(s.ms, s).String())
}

func newGen(tax *app.Taxonomy, n int, seed int64) *gen {
	g := &gen{
		r:          rand.New(rand.NewPCG(uint64(seed), streamContent)),
		byCode:     map[app.CountryCode]*place{},
		titles:     map[string]int{},
		regionName: map[app.SubRegion][nLang]string{},
	}
	pcg := rand.NewPCG(uint64(seed), streamIDs)
	g.ids = idSource{pcg: pcg, gap: max(2, 2*uint64(span.Milliseconds())/uint64(n))}
	g.ids.ms = uint64(start.UnixMilli()) + pcg.Uint64()%uint64(time.Hour.Milliseconds())

	known := map[app.CountryCode]*place{}
	for i := range places {
		known[places[i].code] = &places[i]
	}
	for _, c := range tax.Countries {
		code := app.CountryCode(c.Code)
		var p *place
		if k, ok := known[code]; ok {
			cp := *k // a copy: this generator fills in its names and region
			p = &cp
		} else { // a country the phrase banks do not know: name it only
			name := c.Labels.In("es")
			p = &place{code: code, lang: lES, weight: 1, cities: []string{name}, inPT: "em " + name, inFR: "en " + name}
		}
		for l := range nLang {
			p.name[l] = c.Labels.In(langCodes[l])
		}
		g.places = append(g.places, p)
		g.placeW = append(g.placeW, p.weight)
		g.byCode[code] = p
	}
	for _, sr := range tax.SubRegions {
		code := app.SubRegion(sr.Code)
		rg := &region{code: code, weight: regionWeights[code]}
		if rg.weight == 0 {
			rg.weight = 10
		}
		for _, c := range sr.Countries {
			if p := g.byCode[app.CountryCode(c)]; p != nil {
				rg.members = append(rg.members, p)
			}
		}
		if len(rg.members) == 0 && code != "regional" {
			continue // no country could be valid in it
		}
		for _, p := range rg.members {
			p.home = rg
		}
		g.regions = append(g.regions, rg)
		g.regionW = append(g.regionW, rg.weight)
		var names [nLang]string
		for l := range nLang {
			names[l] = sr.Labels.In(langCodes[l])
		}
		g.regionName[code] = names
	}

	for _, c := range tax.ThemeCodes() {
		g.themes = append(g.themes, app.ThemeCode(c))
	}
	for _, c := range tax.Codes("populations") {
		g.pops = append(g.pops, app.PopulationCode(c))
	}
	for l := range nLang {
		g.popLabel[l] = map[app.PopulationCode]string{}
		for _, c := range g.pops {
			g.popLabel[l][c] = lowerFirst(tax.Label("populations", string(c), langCodes[l]))
		}
	}
	for _, c := range tax.Codes("tags") {
		g.tags = append(g.tags, app.TagCode(c))
	}
	g.state, g.academia, g.intl = -1, -1, -1
	for i, c := range tax.Codes("stakeholders") {
		code := app.StakeholderCode(c)
		w := groupWeights[code]
		if w == 0 {
			w = 2
		}
		names, ok := compiled.orgs[code]
		if !ok {
			names = compiled.orgs["civil-society"]
		}
		g.groups = append(g.groups, code)
		g.groupW = append(g.groupW, w)
		g.groupOrgs = append(g.groupOrgs, &names)
		g.groupIntl = append(g.groupIntl, orgInRecordLang[code])
		switch code {
		case "state":
			g.state = i
		case "academia":
			g.academia = i
		case "international-organizations":
			g.intl = i
		}
	}
	for _, s := range []struct {
		st app.Status
		w  int
	}{{app.StatusDraft, 30}, {app.StatusSubmitted, 30}, {app.StatusUnderReview, 25}, {app.StatusAdopted, 15}} {
		if slices.Contains(app.StatusesFor(app.KindProposal), s.st) {
			g.statuses = append(g.statuses, s.st)
			g.statusW = append(g.statusW, s.w)
		}
	}

	for i := range compiled.topics {
		ct := &compiled.topics[i]
		t := &topic{topicText: ct.text, actions: ct.actions, facts: ct.facts, asks: ct.asks}
		for _, c := range ct.text.themes {
			if _, ok := tax.Theme(c); ok {
				t.themes = append(t.themes, c)
			}
		}
		for _, c := range ct.text.pops {
			if _, ok := tax.Lookup("populations", string(c)); ok {
				t.pops = append(t.pops, c)
			}
		}
		for _, c := range ct.text.tags {
			if _, ok := tax.Lookup("tags", string(c)); ok {
				t.tags = append(t.tags, c)
			}
		}
		for _, c := range ct.text.groups {
			if i := slices.Index(g.groups, c); i >= 0 {
				t.groups = append(t.groups, i)
			}
		}
		if len(t.themes) == 0 {
			continue // the taxonomy changed under this topic
		}
		g.topics = append(g.topics, t)
	}
	if len(g.topics) == 0 || len(g.regions) == 0 || len(g.places) == 0 {
		panic("demo: the taxonomy shares no themes, sub-regions or countries with the phrase banks")
	}
	return g
}

// meetingCount is how many of n drafts are meetings.
func meetingCount(n, regions int) int {
	m := (n + 100) / 200
	switch {
	case n < regions:
		return 1
	case m < regions:
		return regions
	}
	return m
}

func (g *gen) run(n int) []app.Draft {
	drafts := make([]app.Draft, n)
	g.vals = make([]fields, n)
	g.themeSlab = make([]app.ThemeCode, 0, 3*n)
	g.popSlab = make([]app.PopulationCode, 0, 2*n)
	g.tagSlab = make([]app.TagCode, 0, 2*n)
	m := meetingCount(n, len(g.regions))
	first := g.r.Perm(len(g.regions)) // one meeting per sub-region first
	days := int(meetingLast.Sub(meetingFirst).Hours() / 24)
	for i := range m {
		rg := g.regions[pickW(g.r, g.regionW)]
		if i < len(first) {
			rg = g.regions[first[i]]
		}
		day := meetingFirst.AddDate(0, 0, i*days/m+g.r.IntN(max(1, days/m)))
		g.meeting(&drafts[i], &g.vals[i], rg, day)
	}
	g.balanceLanguages()
	for i := m; i < n; i++ {
		var kind app.Kind
		switch x := g.r.IntN(100); {
		case x < 45:
			kind = app.KindNote
		case x < 75:
			kind = app.KindProposal
		case x < 95:
			kind = app.KindInput
		default:
			kind = app.KindComment
		}
		if kind == app.KindComment && len(g.proposals) == 0 {
			kind = app.KindProposal
		}
		if kind == app.KindComment {
			g.comment(&drafts[i], &g.vals[i])
		} else {
			g.record(&drafts[i], &g.vals[i], kind)
		}
	}
	g.flushBodies()
	return drafts
}

// balanceLanguages sets the language weights of records that do not follow
// their meeting's language, so that overall about langTarget of records are
// in each language: half the records follow the meeting.
func (g *gen) balanceLanguages() {
	var mix [nLang]int
	for _, m := range g.meetings {
		mix[m.lang] += 1000
	}
	total := 0
	for l := range nLang {
		w := 2*langTarget[l] - mix[l]/len(g.meetings)
		g.langW[l] = max(w, 0)
		total += g.langW[l]
	}
	if total == 0 {
		g.langW = langTarget
	}
}

func (g *gen) meeting(d *app.Draft, v *fields, rg *region, day time.Time) {
	pl := g.placeIn(rg, true)
	m := &meeting{id: g.ids.next(), region: rg, place: pl, city: pick(g.r, pl.cities), lang: pl.lang}
	e := &env{lang: m.lang, pl: pl, city: m.city, region: g.regionName[rg.code][m.lang]}
	e.t1 = g.topics[g.r.IntN(len(g.topics))]
	e.t2 = g.otherTopic(e.t1)
	var title string
	switch x := g.r.IntN(100); {
	case x < 25:
		m.topic = e.t1
		title = g.fillString(e, &compiled.thematicTitle[e.lang])
	case x < 38:
		title = g.fillString(e, &compiled.dialogueTitle[e.lang])
	default:
		if t, ok := subregionalTitle[rg.code]; ok {
			title = t[m.lang]
		} else {
			title = g.fillString(e, &compiled.subregionalFallback[e.lang])
		}
		title += " — " + m.city
	}
	if k := g.titles[title]; k > 0 {
		g.titles[title] = k + 1
		title += " (" + roman(k+1) + ")"
	} else {
		g.titles[title] = 1
	}
	g.meetings = append(g.meetings, m)

	group := g.state
	if g.r.IntN(10) < 3 || group < 0 {
		group = g.intl
	}
	if group < 0 {
		group = pickW(g.r, g.groupW)
	}
	*v = fields{title: title, venue: g.fillString(e, pick(g.r, compiled.venues[m.lang])), date: day.Format(time.DateOnly),
		lang: langCodes[m.lang], region: rg.code, country: pl.code}
	v.author, v.org = g.person(group, pl, m.lang)
	g.cands = append(g.cands[:0], compiled.meetingSentences...)
	g.shuffleFrom(0)
	g.compose(&v.body, e, nil, compiled.meetingSentences, false, 40, 140, 2)
	*d = app.Draft{ID: m.id, Kind: app.KindMeeting, Patch: app.Patch{Title: &v.title, Body: &v.body, Lang: &v.lang,
		SubRegion: &v.region, Country: &v.country, Venue: &v.venue, Date: &v.date, Author: &v.author, Org: &v.org}}
	if m.topic != nil {
		d.Patch.AddThemes = g.themeSlice(m.topic.themes[0])
	}
}

// record makes a note, a proposal or an input.
func (g *gen) record(d *app.Draft, v *fields, kind app.Kind) {
	m := g.meetings[g.r.IntN(len(g.meetings))]
	e := &env{lang: g.langFor(m), pl: m.place, city: m.city}
	e.region = g.regionName[m.region.code][e.lang]
	if m.topic != nil && g.r.IntN(2) == 0 {
		e.t1 = m.topic
	} else {
		e.t1 = g.topics[g.r.IntN(len(g.topics))]
	}
	e.t2 = g.otherTopic(e.t1)
	second := g.r.IntN(100) < 40
	e.second = second
	id := g.ids.next()

	// Classification.
	themes := g.themesFor(e.t1, e.t2, second)
	pops := g.popsFor(e.t1)
	tags := g.tagsFor(e.t1)
	if len(pops) > 0 {
		e.pop = g.popLabel[e.lang][pops[0]]
	} else {
		e.pop = g.popLabel[e.lang][g.anyPop(e.t1)]
	}
	group := g.groupFor(e.t1)
	withGroup := kind == app.KindInput || g.r.IntN(100) < 70
	if kind == app.KindProposal && !withGroup && g.state >= 0 {
		group = g.state // unattributed proposals mostly come from delegations
	}
	orgPlace := m.place
	if m.region.members == nil || g.r.IntN(4) == 0 {
		orgPlace = g.placeIn(m.region, false)
	}
	v.author, v.org = g.person(group, orgPlace, e.lang)
	e.org = v.org

	// Text.
	var title string
	c := g.cands[:0]
	switch kind {
	case app.KindNote:
		title = g.fillString(e, &pick(g.r, compiled.noteTitles)[e.lang])
		c = append(c, pick(g.r, compiled.noteOpeners))
		c = append(c, e.t1.facts...)
		c = g.appendSome(c, compiled.noteSentences, 3)
		if second {
			c = g.appendSome(c, e.t2.facts, 2)
		}
		c = g.appendSome(c, e.t1.asks, 1)
		g.cands = c
		g.shuffleFrom(1)
		g.compose(&v.body, e, compiled.noteClosers, compiled.noteSentences, true, 50, 230, 4)
	case app.KindProposal:
		e.action = g.r.IntN(len(e.t1.actions))
		title = g.fillString(e, &pick(g.r, compiled.proposalTitles)[e.lang])
		c = append(c, pick(g.r, compiled.proposalOpeners))
		c = append(c, e.t1.asks...)
		n := len(c)
		c = g.appendSome(c, compiled.proposalSentences, 3)
		c = g.appendSome(c, e.t1.facts, 1)
		if second {
			c = g.appendSome(c, e.t2.asks, 1)
		}
		g.cands = c
		g.shuffleRange(1, n)
		g.shuffleFrom(n)
		g.compose(&v.body, e, nil, compiled.proposalSentences, true, 45, 200, 4)
	case app.KindInput:
		title = g.fillString(e, &pick(g.r, compiled.inputTitles)[e.lang])
		c = append(c, pick(g.r, compiled.inputOpeners))
		c = g.appendSome(c, e.t1.facts, 3)
		c = g.appendSome(c, compiled.inputSentences, 2)
		c = g.appendSome(c, e.t1.asks, 2)
		if second {
			c = g.appendSome(c, e.t2.facts, 1)
		}
		g.cands = c
		g.shuffleFrom(1)
		g.compose(&v.body, e, compiled.inputClosers, compiled.inputSentences, true, 50, 230, 4)
	}

	v.title, v.lang, v.region, v.country, v.meeting = title, langCodes[e.lang], m.region.code, m.place.code, m.id
	// Field by field: d is already zero, and a composite literal would be
	// built aside and copied whole.
	d.ID, d.Kind = id, kind
	p := &d.Patch
	p.Title, p.Body, p.Lang, p.Meeting = &v.title, &v.body, &v.lang, &v.meeting
	p.SubRegion, p.Country, p.Author, p.Org = &v.region, &v.country, &v.author, &v.org
	p.AddThemes, p.AddPops, p.AddTags = themes, pops, tags
	if withGroup {
		v.group = g.groups[group]
		p.Stakeholder = &v.group
	}
	if kind == app.KindProposal {
		v.status = g.statuses[pickW(g.r, g.statusW)]
		p.Status = &v.status
		g.proposals = append(g.proposals, proposal{id: id, title: title, m: m, lang: e.lang, topic: e.t1})
	}
}

func (g *gen) comment(d *app.Draft, v *fields) {
	pr := &g.proposals[g.r.IntN(len(g.proposals))]
	m := pr.m
	lang := pr.lang
	if g.r.IntN(10) >= 6 {
		lang = g.langFor(m)
	}
	e := &env{lang: lang, pl: m.place, city: m.city, t1: pr.topic, region: g.regionName[m.region.code][lang]}
	e.t2 = g.otherTopic(e.t1)
	e.pop = g.popLabel[lang][g.anyPop(e.t1)]
	id := g.ids.next()
	group := g.groupFor(e.t1)
	orgPlace := g.placeIn(m.region, false)
	v.author, v.org = g.person(group, orgPlace, lang)
	e.org = v.org

	v.title = "Re: " + pr.title
	if len(v.title) > app.MaxTitle {
		v.title = truncate(v.title, app.MaxTitle)
	}
	g.cands = append(g.cands[:0], compiled.commentSentences...)
	g.shuffleFrom(0)
	g.compose(&v.body, e, nil, compiled.commentSentences, false, 40, 100, 2)
	v.lang, v.region, v.country, v.meeting, v.replyTo = langCodes[lang], m.region.code, m.place.code, m.id, pr.id
	*d = app.Draft{ID: id, Kind: app.KindComment, Patch: app.Patch{Title: &v.title, Body: &v.body, Lang: &v.lang,
		Meeting: &v.meeting, SubRegion: &v.region, Country: &v.country, Author: &v.author, Org: &v.org, ReplyTo: &v.replyTo}}
	if g.r.IntN(10) < 6 {
		v.group = g.groups[group]
		d.Patch.Stakeholder = &v.group
	}
}

// langFor picks a record's language: its meeting's half the time,
// otherwise by the balancing weights.
func (g *gen) langFor(m *meeting) int {
	if g.r.IntN(2) == 0 {
		return m.lang
	}
	return pickW(g.r, g.langW[:])
}

// placeIn picks a country of rg, any country for the whole region; hosts
// picks by hosting weight, otherwise uniformly.
func (g *gen) placeIn(rg *region, hosts bool) *place {
	if rg.members == nil {
		if hosts {
			return g.places[pickW(g.r, g.placeW)]
		}
		return g.places[g.r.IntN(len(g.places))]
	}
	if !hosts {
		return rg.members[g.r.IntN(len(rg.members))]
	}
	total := 0
	for _, p := range rg.members {
		total += p.weight
	}
	x := g.r.IntN(total)
	for _, p := range rg.members {
		if x -= p.weight; x < 0 {
			return p
		}
	}
	return rg.members[len(rg.members)-1]
}

func (g *gen) otherTopic(t *topic) *topic {
	if len(g.topics) == 1 {
		return t
	}
	o := g.topics[g.r.IntN(len(g.topics)-1)]
	if o == t {
		o = g.topics[len(g.topics)-1]
	}
	return o
}

// themesFor picks 1 to 3 themes: mostly the topic's, one of the second
// topic's if the record is about it too, now and then any theme.
func (g *gen) themesFor(t1, t2 *topic, second bool) []app.ThemeCode {
	want := 1 + g.r.IntN(3)
	if second {
		want = max(want, 2)
	}
	out := carve(&g.themeSlab, want)
	if g.r.IntN(10) < 6 {
		out = append(out, t1.themes[0])
	} else {
		out = append(out, pick(g.r, t1.themes))
	}
	if second {
		if c := pick(g.r, t2.themes); !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	for tries := 0; len(out) < want && tries < 8; tries++ {
		var c app.ThemeCode
		switch x := g.r.IntN(10); {
		case x == 0:
			c = pick(g.r, g.themes)
		case x < 4 && second:
			c = pick(g.r, t2.themes)
		default:
			c = pick(g.r, t1.themes)
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return keep(&g.themeSlab, out)
}

// themeSlice returns a slice holding c.
func (g *gen) themeSlice(c app.ThemeCode) []app.ThemeCode {
	return keep(&g.themeSlab, append(carve(&g.themeSlab, 1), c))
}

// popsFor picks 0 to 2 populations, mostly the topic's.
func (g *gen) popsFor(t *topic) []app.PopulationCode {
	want := [...]int{0, 0, 0, 1, 1, 1, 1, 2, 2, 2}[g.r.IntN(10)]
	if want == 0 || len(g.pops) == 0 {
		return nil
	}
	out := carve(&g.popSlab, want)
	for tries := 0; len(out) < want && tries < 6; tries++ {
		c := g.anyPop(t)
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return keep(&g.popSlab, out)
}

func (g *gen) anyPop(t *topic) app.PopulationCode {
	if len(t.pops) > 0 && g.r.IntN(10) < 7 {
		return pick(g.r, t.pops)
	}
	return pick(g.r, g.pops)
}

// tagsFor picks 0 to 2 age, gender and diversity tags, mostly the topic's.
func (g *gen) tagsFor(t *topic) []app.TagCode {
	want := [...]int{0, 0, 0, 0, 1, 1, 1, 1, 2, 2}[g.r.IntN(10)]
	if want == 0 || len(g.tags) == 0 {
		return nil
	}
	out := carve(&g.tagSlab, want)
	for tries := 0; len(out) < want && tries < 6; tries++ {
		var c app.TagCode
		if len(t.tags) > 0 && g.r.IntN(10) < 7 {
			c = pick(g.r, t.tags)
		} else {
			c = pick(g.r, g.tags)
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return keep(&g.tagSlab, out)
}

// carve returns an empty slice with room for k elements at the end of
// *slab; keep then claims the elements appended to it. Codes of all drafts
// share a few backing arrays this way instead of one each.
func carve[T any](slab *[]T, k int) []T {
	if cap(*slab)-len(*slab) < k {
		*slab = make([]T, 0, max(k, 4096))
	}
	s := *slab
	return s[len(s) : len(s) : len(s)+k]
}

func keep[T any](slab *[]T, out []T) []T {
	if len(out) == 0 {
		return nil
	}
	*slab = (*slab)[:len(*slab)+len(out)]
	return out
}

// groupFor picks a stakeholder group, as an index into g.groups.
func (g *gen) groupFor(t *topic) int {
	if len(t.groups) > 0 && g.r.IntN(10) < 4 {
		return pick(g.r, t.groups)
	}
	return pickW(g.r, g.groupW)
}

// person returns a name and an organization of group based in pl. The
// organization is named in pl's language, or in lang for international
// bodies; the person's name follows pl's language.
func (g *gen) person(group int, pl *place, lang int) (name, org string) {
	mark := len(g.buf)
	g.buf = g.appendName(g.buf, pl.lang)
	name = string(g.buf[mark:])
	g.buf = g.buf[:mark]
	g.appendOrg(group, pl, lang)
	org = string(g.buf[mark:])
	g.buf = g.buf[:mark]
	return name, org
}

func (g *gen) appendName(b []byte, lang int) []byte {
	b = append(b, pick(g.r, firstNames[lang])...)
	b = append(b, ' ')
	b = append(b, pick(g.r, lastNames[lang])...)
	if lang == lES && g.r.IntN(10) < 4 {
		b = append(b, ' ')
		b = append(b, pick(g.r, lastNames[lang])...)
	}
	return b
}

// appendOrg appends the name of an organization of group (an index into
// g.groups) based in pl to g.buf, and returns how many spaces it holds.
func (g *gen) appendOrg(group int, pl *place, lang int) int {
	switch {
	case group == g.state && len(pl.state) > 0 && g.r.IntN(2) == 0:
		return g.appendCounted(pick(g.r, pl.state))
	case group == g.academia && len(pl.univ) > 0 && g.r.IntN(10) < 7:
		return g.appendCounted(pick(g.r, pl.univ))
	}
	ol := pl.lang
	if g.groupIntl[group] {
		ol = lang
	}
	g.oe = env{lang: ol, pl: pl, city: pick(g.r, pl.cities)}
	return g.fill(&g.oe, pick(g.r, g.groupOrgs[group][ol]))
}

// appendCounted appends s to g.buf and returns how many spaces it holds.
func (g *gen) appendCounted(s string) int {
	g.buf = append(g.buf, s...)
	return strings.Count(s, " ")
}

// appendSome appends k distinct phrases of pool, in random order.
func (g *gen) appendSome(c []*[nLang]tmpl, pool []*[nLang]tmpl, k int) []*[nLang]tmpl {
	k = min(k, len(pool))
	var chosen [8]int
	got := chosen[:0]
	for len(got) < k {
		i := g.r.IntN(len(pool))
		if !slices.Contains(got, i) {
			got = append(got, i)
			c = append(c, pool[i])
		}
	}
	return c
}

func (g *gen) shuffleFrom(i int) { g.shuffleRange(i, len(g.cands)) }

func (g *gen) shuffleRange(i, j int) {
	s := g.cands[i:j]
	g.r.Shuffle(len(s), func(a, b int) { s[a], s[b] = s[b], s[a] })
}

// compose writes *dst from g.cands, in order, until it holds between lo
// and hi words (never more than maxWords), in up to paras paragraphs. When
// the candidates run out it takes phrases not used yet from pool and, if
// topical, from the banks of the record's topics; one of closers may end it.
// The body is written to g.buf and becomes a string at the next flushBodies.
func (g *gen) compose(dst *string, e *env, closers, pool []*[nLang]tmpl, topical bool, lo, hi, paras int) {
	target := lo + g.r.IntN(hi-lo+1)
	nparas := 1 + g.r.IntN(paras)
	start := len(g.buf)
	used := g.used[:0]
	words, para := 0, 0
	add := func(t *[nLang]tmpl) bool {
		mark, oldPara := len(g.buf), para
		if mark > start {
			if para < nparas-1 && words >= target*(para+1)/nparas {
				g.buf = append(g.buf, "\n\n"...)
				para++
			} else {
				g.buf = append(g.buf, ' ')
			}
		}
		w := 1 + g.fill(e, &t[e.lang])
		if words+w > maxWords {
			g.buf, para = g.buf[:mark], oldPara
			return false
		}
		words += w
		used = append(used, t)
		return true
	}
	next := 0
	for words < target {
		var t *[nLang]tmpl
		for t == nil && next < len(g.cands) {
			if c := g.cands[next]; !slices.Contains(used, c) {
				t = c
			}
			next++
		}
		if t == nil {
			t = g.unused(e, pool, topical, used)
		}
		if t == nil {
			if words >= minWords {
				break
			}
			t = pick(g.r, pool)
		}
		if !add(t) {
			break
		}
	}
	if len(closers) > 0 && g.r.IntN(2) == 0 {
		add(pick(g.r, closers))
	}
	g.used = used
	g.bodies = append(g.bodies, bodyRef{dst, start, len(g.buf)})
	if len(g.buf) >= 1<<20 {
		g.flushBodies()
	}
}

// flushBodies turns the bodies written so far into strings: one string
// holds them all, each body is a substring of it, so that 100 000 bodies
// cost a hundred allocations rather than 100 000.
func (g *gen) flushBodies() {
	all := string(g.buf)
	for _, b := range g.bodies {
		*b.dst = all[b.from:b.to]
	}
	g.bodies = g.bodies[:0]
	g.buf = g.buf[:0]
}

// unused picks a phrase of pool (and of the topics' banks, if topical) that
// is not in used, or returns nil.
func (g *gen) unused(e *env, pool []*[nLang]tmpl, topical bool, used []*[nLang]tmpl) *[nLang]tmpl {
	opts := g.opts[:0]
	consider := func(xs []*[nLang]tmpl) {
		for _, x := range xs {
			if !slices.Contains(used, x) {
				opts = append(opts, x)
			}
		}
	}
	consider(pool)
	if topical {
		consider(e.t1.facts)
		consider(e.t1.asks)
		if e.second {
			consider(e.t2.facts)
			consider(e.t2.asks)
		}
	}
	g.opts = opts
	if len(opts) == 0 {
		return nil
	}
	return opts[g.r.IntN(len(opts))]
}

// fillString fills t and returns the text. It uses the
// end of g.buf as scratch space.
func (g *gen) fillString(e *env, t *tmpl) string {
	mark := len(g.buf)
	g.fill(e, t)
	s := string(g.buf[mark:])
	g.buf = g.buf[:mark]
	return s
}

// fill appends t, its slots filled from e, to g.buf, and returns how many
// word separators it wrote: the phrase holds one word more.
func (g *gen) fill(e *env, t *tmpl) int {
	seps := 0
	for _, s := range *t {
		if s.slot == slotText {
			g.buf = append(g.buf, s.text...)
			seps += s.seps
			continue
		}
		mark := len(g.buf)
		switch s.slot {
		case slotTopic:
			g.buf = append(g.buf, e.t1.name[e.lang]...)
		case slotTopic2:
			g.buf = append(g.buf, e.t2.name[e.lang]...)
		case slotShort:
			g.buf = append(g.buf, e.t1.short[e.lang]...)
		case slotAction:
			seps += g.fill(e, &e.t1.actions[e.action][e.lang])
			continue
		case slotRegion:
			g.buf = append(g.buf, e.region...)
		case slotCountry:
			g.buf = append(g.buf, e.pl.name[e.lang]...)
		case slotInCountry:
			g.buf = g.appendInCountry(g.buf, e.pl, e.lang)
		case slotCity:
			g.buf = append(g.buf, e.city...)
		case slotSpeaker:
			seps += g.appendSpeaker(e)
			continue
		case slotPop:
			g.buf = append(g.buf, e.pop...)
		case slotOrg:
			g.buf = append(g.buf, e.org...)
		case slotN:
			g.buf = appendNumber(g.buf, g.count(), e.lang)
			seps += bytes.Count(g.buf[mark:], narrowSpace)
			continue
		case slotK:
			g.buf = strconv.AppendInt(g.buf, int64(3+g.r.IntN(28)), 10)
			continue
		case slotPct:
			g.buf = strconv.AppendInt(g.buf, int64(8+g.r.IntN(78)), 10)
			continue
		case slotMonths:
			g.buf = strconv.AppendInt(g.buf, int64(pick(g.r, months[:])), 10)
			continue
		case slotYear:
			g.buf = strconv.AppendInt(g.buf, int64(2026+g.r.IntN(9)), 10)
			continue
		}
		seps += bytes.Count(g.buf[mark:], space)
	}
	return seps
}

var months = [...]int{3, 6, 9, 12, 18, 24}

// count is a figure for {n}: 30 to 30 000, spread over three magnitudes
// and rounded the way people quote figures.
func (g *gen) count() int {
	switch g.r.IntN(3) {
	case 0:
		return 30 + g.r.IntN(270)
	case 1:
		return (300 + g.r.IntN(2700)) / 10 * 10
	}
	return (3000 + g.r.IntN(27000)) / 100 * 100
}

// appendSpeaker appends "Name Surname (Organization)": someone from a
// country of the record's sub-region.
func (g *gen) appendSpeaker(e *env) int {
	pl := e.pl
	if pl.home != nil && g.r.IntN(10) < 6 {
		pl = g.placeIn(pl.home, false)
	}
	mark := len(g.buf)
	g.buf = g.appendName(g.buf, pl.lang)
	spaces := 1 + bytes.Count(g.buf[mark:], space)
	g.buf = append(g.buf, " ("...)
	spaces += g.appendOrg(pickW(g.r, g.groupW), pl, e.lang)
	g.buf = append(g.buf, ')')
	return spaces
}

func (g *gen) appendInCountry(b []byte, pl *place, lang int) []byte {
	switch lang {
	case lPT:
		return append(b, pl.inPT...)
	case lFR:
		return append(b, pl.inFR...)
	case lEN:
		switch pl.code {
		case "BS":
			return append(b, "in the Bahamas"...)
		case "DO":
			return append(b, "in the Dominican Republic"...)
		}
		b = append(b, "in "...)
	default:
		b = append(b, "en "...)
	}
	return append(b, pl.name[lang]...)
}

// appendNumber writes n with the thousands separator of lang.
func appendNumber(b []byte, n, lang int) []byte {
	if n < 1000 {
		return strconv.AppendInt(b, int64(n), 10)
	}
	b = appendNumber(b, n/1000, lang)
	switch lang {
	case lEN:
		b = append(b, ',')
	case lFR:
		b = append(b, "\u202f"...) // narrow no-break space
	default:
		b = append(b, '.')
	}
	r := n % 1000
	return append(b, byte('0'+r/100), byte('0'+r/10%10), byte('0'+r%10))
}

// The word separators: phrases are separated by single spaces, and the
// digits of French figures by a narrow no-break space.
var (
	space       = []byte(" ")
	narrowSpace = []byte("\u202f")
)

// lowerFirst lowers the first letter of s unless it starts an acronym
// ("LGBTIQ+").
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	r2, _ := utf8.DecodeRuneInString(s[n:])
	if !unicode.IsUpper(r) || unicode.IsUpper(r2) {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

func truncate(s string, n int) string {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func roman(n int) string {
	vals := []int{1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1}
	syms := []string{"M", "CM", "D", "CD", "C", "XC", "L", "XL", "X", "IX", "V", "IV", "I"}
	var b []byte
	for i, v := range vals {
		for ; n >= v; n -= v {
			b = append(b, syms[i]...)
		}
	}
	return string(b)
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// pickW picks an index with probability proportional to its weight.
func pickW(r *rand.Rand, w []int) int {
	total := 0
	for _, x := range w {
		total += x
	}
	x := r.IntN(total)
	for i, v := range w {
		if x -= v; x < 0 {
			return i
		}
	}
	return len(w) - 1
}

// Phrase templates: a phrase from text.go, split once into literal text and
// slots.

type slotKind uint8

const (
	slotText slotKind = iota
	slotTopic
	slotTopic2
	slotShort
	slotAction
	slotRegion
	slotCountry
	slotInCountry
	slotCity
	slotSpeaker
	slotPop
	slotOrg
	slotN
	slotK
	slotPct
	slotMonths
	slotYear
)

var slotNames = map[string]slotKind{
	"topic": slotTopic, "topic2": slotTopic2, "short": slotShort, "action": slotAction,
	"region": slotRegion, "country": slotCountry, "in_country": slotInCountry, "city": slotCity,
	"speaker": slotSpeaker, "pop": slotPop, "org": slotOrg, "n": slotN, "k": slotK,
	"pct": slotPct, "months": slotMonths, "year": slotYear,
}

type seg struct {
	slot slotKind
	text string
	seps int // the word separators in text
}

// tmpl is a compiled phrase in one language.
type tmpl []seg

// compile splits s into text and {slot}s. It panics on an unknown slot:
// the phrase banks are part of the program.
func compile(s string) tmpl {
	var t tmpl
	for s != "" {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			t = append(t, text(s))
			break
		}
		if i > 0 {
			t = append(t, text(s[:i]))
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			panic(fmt.Sprintf("demo: unclosed slot in %q", s))
		}
		k, ok := slotNames[s[i+1:i+j]]
		if !ok {
			panic(fmt.Sprintf("demo: unknown slot %q in %q", s[i:i+j+1], s))
		}
		t = append(t, seg{slot: k})
		s = s[i+j+1:]
	}
	return t
}

func text(s string) seg {
	return seg{text: s, seps: strings.Count(s, " ") + strings.Count(s, "\u202f")}
}

func compile4(x t4) *[nLang]tmpl {
	var out [nLang]tmpl
	for l := range nLang {
		out[l] = compile(x[l])
	}
	return &out
}

func compileAll4(xs []t4) []*[nLang]tmpl {
	out := make([]*[nLang]tmpl, len(xs))
	for i, x := range xs {
		out[i] = compile4(x)
	}
	return out
}

func compileAll(xs []string) []*tmpl {
	out := make([]*tmpl, len(xs))
	for i, x := range xs {
		t := compile(x)
		out[i] = &t
	}
	return out
}

type compiledTopic struct {
	text                 *topicText
	actions, facts, asks []*[nLang]tmpl
}

// compiled holds every phrase bank of text.go, compiled.
var compiled = func() (c struct {
	topics                                            []compiledTopic
	noteOpeners, noteSentences, noteClosers           []*[nLang]tmpl
	proposalOpeners, proposalSentences                []*[nLang]tmpl
	inputOpeners, inputSentences, inputClosers        []*[nLang]tmpl
	commentSentences, meetingSentences                []*[nLang]tmpl
	noteTitles, proposalTitles, inputTitles           []*[nLang]tmpl
	thematicTitle, dialogueTitle, subregionalFallback *[nLang]tmpl
	venues                                            [nLang][]*tmpl
	orgs                                              map[app.StakeholderCode][nLang][]*tmpl
}) {
	for i := range topicTexts {
		t := &topicTexts[i]
		c.topics = append(c.topics, compiledTopic{text: t, actions: compileAll4(t.actions), facts: compileAll4(t.facts), asks: compileAll4(t.asks)})
	}
	c.noteOpeners, c.noteSentences, c.noteClosers = compileAll4(noteOpeners), compileAll4(noteSentences), compileAll4(noteClosers)
	c.proposalOpeners, c.proposalSentences = compileAll4(proposalOpeners), compileAll4(proposalSentences)
	c.inputOpeners, c.inputSentences, c.inputClosers = compileAll4(inputOpeners), compileAll4(inputSentences), compileAll4(inputClosers)
	c.commentSentences, c.meetingSentences = compileAll4(commentSentences), compileAll4(meetingSentences)
	c.noteTitles, c.proposalTitles, c.inputTitles = compileAll4(noteTitles), compileAll4(proposalTitles), compileAll4(inputTitles)
	c.thematicTitle, c.dialogueTitle, c.subregionalFallback = compile4(thematicTitle), compile4(dialogueTitle), compile4(subregionalFallback)
	for l := range nLang {
		c.venues[l] = compileAll(venues[l])
	}
	c.orgs = map[app.StakeholderCode][nLang][]*tmpl{}
	for group, byLang := range orgNames {
		var x [nLang][]*tmpl
		for l := range nLang {
			x[l] = compileAll(byLang[l])
		}
		c.orgs[group] = x
	}
	return c
}()

// BenchRecords is the size of the workspace the benchmarks build: 100,000
// records, the size of the performance targets, unless the environment
// variable CONSULTA_BENCH_RECORDS asks for another (for quick runs).
func BenchRecords() int {
	if n, err := strconv.Atoi(os.Getenv("CONSULTA_BENCH_RECORDS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}
