package desktop

// How the Draft tab marks text: statuses as a coloured word (never the
// colour alone), bracketed language in bold, and a change as insertions
// between {+ +} and deletions between {− −}, which read the same printed
// in grey or seen by someone who cannot tell green from red.

import (
	"image/color"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/draft"
)

// The marks around a change. Square brackets are not used: in a draft
// they mean language not yet agreed.
const (
	insOpen, insClose = "{+", "+}"
	delOpen, delClose = "{−", "−}"
)

var (
	plainStyle   = widget.RichTextStyle{Inline: true}
	bracketStyle = widget.RichTextStyle{Inline: true, ColorName: theme.ColorNameWarning, TextStyle: fyne.TextStyle{Bold: true}}
	insStyle     = widget.RichTextStyle{Inline: true, ColorName: theme.ColorNameSuccess, TextStyle: fyne.TextStyle{Bold: true}}
	delStyle     = widget.RichTextStyle{Inline: true, ColorName: theme.ColorNameError, TextStyle: fyne.TextStyle{Italic: true}}
)

// draftStatusLabel is the word for a paragraph's or an amendment's status.
func (u *UI) draftStatusLabel(s app.Status) string {
	switch s {
	case app.StatusOpen, "":
		return lang.L("Open (paragraph status)")
	case app.StatusBracketed:
		return lang.L("Bracketed")
	case app.StatusAgreedAdRef:
		return lang.L("Agreed ad ref")
	case app.StatusAgreed:
		return lang.L("Agreed")
	case app.StatusDeleted:
		return lang.L("Deleted")
	case app.StatusPending:
		return lang.L("Pending")
	case app.StatusAccepted:
		return lang.L("Accepted")
	case app.StatusAcceptedModified:
		return lang.L("Accepted as modified")
	case app.StatusNotRetained:
		return lang.L("Not retained")
	}
	return u.statusLabel(s)
}

// actionLabel is the word for what an amendment does.
func actionLabel(a app.Action) string {
	switch a {
	case app.ActionModify:
		return lang.L("Modify")
	case app.ActionDelete:
		return lang.L("Delete")
	case app.ActionMove:
		return lang.L("Move")
	case app.ActionAdd:
		return lang.L("Add after")
	}
	return string(a)
}

// statusColor is the background of a status's word: translucent, so that
// the word in the theme's own text colour stays readable in light and
// dark themes.
func statusColor(s app.Status) color.Color {
	switch s {
	case app.StatusBracketed:
		return color.NRGBA{0xf5, 0x9e, 0x0b, 0x66} // amber
	case app.StatusAgreedAdRef, app.StatusAcceptedModified:
		return color.NRGBA{0x14, 0xb8, 0xa6, 0x59} // teal
	case app.StatusAgreed, app.StatusAccepted:
		return color.NRGBA{0x22, 0xc5, 0x5e, 0x66} // green
	case app.StatusDeleted, app.StatusNotRetained:
		return color.NRGBA{0xef, 0x44, 0x44, 0x59} // red
	case app.StatusMerged:
		return color.NRGBA{0xa8, 0x55, 0xf7, 0x4d} // purple
	case app.StatusPending:
		return color.NRGBA{0x3b, 0x82, 0xf6, 0x4d} // blue
	}
	return color.NRGBA{0x9c, 0xa3, 0xaf, 0x4d} // grey: open, withdrawn
}

// badge is a status shown as its word on its colour: a small pill, its
// word in the theme's text colour.
type badge struct {
	bg      *canvas.Rectangle
	word    *canvas.Text
	content *fyne.Container
}

func newBadge() *badge {
	b := &badge{bg: canvas.NewRectangle(color.Transparent), word: canvas.NewText("", theme.Color(theme.ColorNameForeground))}
	b.bg.CornerRadius = 4
	b.word.TextStyle.Bold = true
	b.word.TextSize = theme.CaptionTextSize()
	pad := theme.Padding()
	b.content = container.NewStack(b.bg, container.New(layout.NewCustomPaddedLayout(pad/2, pad/2, pad+2, pad+2), b.word))
	return b
}

func (b *badge) set(u *UI, s app.Status) {
	b.bg.FillColor = statusColor(s)
	b.bg.Refresh()
	b.word.Color = theme.Color(theme.ColorNameForeground)
	b.word.Text = u.draftStatusLabel(s)
	b.word.Refresh()
}

// roomFor keeps sel wide enough for the longest of options: a Select
// asks only for its placeholder's width and cuts the option chosen to it.
func roomFor(sel *widget.Select, options ...string) fyne.CanvasObject {
	long := ""
	for _, o := range options {
		if utf8.RuneCountInString(o) > utf8.RuneCountInString(long) {
			long = o
		}
	}
	room := canvas.NewRectangle(color.Transparent)
	room.SetMinSize(fyne.NewSize(fyne.MeasureText(long, theme.TextSize(), fyne.TextStyle{}).Width+3*theme.InnerPadding()+theme.IconInlineSize(), 0))
	return container.NewStack(room, sel)
}

// bracketSegments is text with its bracketed passages in bold (and the
// warning colour), brackets included. Text whose brackets do not pair up
// is shown as it is.
func bracketSegments(text string, style widget.RichTextStyle) []widget.RichTextSegment {
	spans, err := draft.Spans(text)
	if err != nil || len(spans) == 0 {
		return []widget.RichTextSegment{&widget.TextSegment{Text: text, Style: style}}
	}
	marked := bracketStyle
	marked.SizeName = style.SizeName
	var segs []widget.RichTextSegment
	at := 0
	for _, s := range spans {
		if s.Depth != 1 {
			continue // inside an outer passage, marked with it
		}
		if s.Start > at {
			segs = append(segs, &widget.TextSegment{Text: text[at:s.Start], Style: style})
		}
		segs = append(segs, &widget.TextSegment{Text: text[s.Start:s.End], Style: marked})
		at = s.End
	}
	if at < len(text) {
		segs = append(segs, &widget.TextSegment{Text: text[at:], Style: style})
	}
	return segs
}

// markedSegments shows a change: kept text plain, insertions in bold
// between {+ +}, deletions in italics between {− −}.
func markedSegments(changes []draft.Change) []widget.RichTextSegment {
	var segs []widget.RichTextSegment
	for _, c := range changes {
		switch c.Kind {
		case draft.Insert:
			segs = append(segs, &widget.TextSegment{Text: insOpen + c.Text + insClose, Style: insStyle})
		case draft.Delete:
			segs = append(segs, &widget.TextSegment{Text: delOpen + c.Text + delClose, Style: delStyle})
		default:
			segs = append(segs, &widget.TextSegment{Text: c.Text, Style: plainStyle})
		}
	}
	if len(segs) == 0 {
		segs = append(segs, &widget.TextSegment{Text: "", Style: plainStyle})
	}
	return segs
}

// markedText is the plain text of marked segments, as a person reads it
// (and as tests compare it).
func markedText(rt *widget.RichText) string {
	var b strings.Builder
	for _, s := range rt.Segments {
		b.WriteString(s.Textual())
	}
	return b.String()
}

// newMarked is a word-wrapped RichText of segs.
func newMarked(segs []widget.RichTextSegment) *widget.RichText {
	rt := widget.NewRichText(segs...)
	rt.Wrapping = fyne.TextWrapWord
	return rt
}

// maxRowLines bounds a paragraph's height in the list: a longer one is
// cut there, ending in an ellipsis, and read whole beside the list.
const maxRowLines = 10

// rowMetrics estimates a row's height from its text, without laying the
// text out: the list is virtual, and shaping 500 paragraphs to find their
// heights would cost more than the tab may take to open.
type rowMetrics struct {
	side       float32    // the status and the count beside the text
	margins    float32    // the width the number and the status take from the text
	base, line float32    // a paragraph of k lines is base + k*line high
	hBase      [2]float32 // a heading, likewise, per level
	hLine      [2]float32
	charW      float32 // an average character's width
	hCharW     [2]float32
}

// sampleText is ordinary Spanish prose, for the average width of a
// character.
const sampleText = "Los Estados promoverán la protección internacional de las personas refugiadas, desplazadas y apátridas en la región."

func newRowMetrics() rowMetrics {
	var m rowMetrics
	size := theme.TextSize()
	r := newDraftRow()
	r.count.Text = "99"
	m.side = r.side.MinSize().Height
	m.margins = r.numberBox.MinSize().Width + r.side.MinSize().Width + 2*theme.Padding()
	lines := func(style widget.RichTextStyle, k int) float32 {
		var segs []widget.RichTextSegment
		for range k {
			st := style
			st.Inline = false
			segs = append(segs, &widget.TextSegment{Text: "Mg", Style: st})
		}
		return widget.NewRichText(segs...).MinSize().Height
	}
	one, two := lines(plainStyle, 1), lines(plainStyle, 2)
	m.line, m.base = two-one, one-(two-one)
	n := float32(utf8.RuneCountInString(sampleText))
	m.charW = fyne.MeasureText(sampleText, size, fyne.TextStyle{}).Width / n
	for i := range 2 {
		st := headingStyle(i + 1)
		one, two := lines(st, 1), lines(st, 2)
		m.hLine[i], m.hBase[i] = two-one, one-(two-one)
		m.hCharW[i] = fyne.MeasureText(sampleText, theme.Size(st.SizeName), st.TextStyle).Width / n
	}
	return m
}

// height is how tall p's row is in a list width wide, and how many of
// its characters the row shows (0: all). The estimate errs on the tall
// side: Fyne's list does not clip a row, so a text taller than its row
// would run over the next one.
func (m *rowMetrics) height(p *shownPara, width float32) (float32, int) {
	avail := width - 4*theme.InnerPadding() - m.margins
	base, line, charW, most := m.base, m.line, m.charW, maxRowLines
	if p.level > 0 {
		i := min(p.level, 2) - 1
		avail += m.margins
		base, line, charW, most = m.hBase[i], m.hLine[i], m.hCharW[i], 3
	}
	perLine := max(10, int(avail/(charW*1.12)))
	k := wrappedLines(p.text, perLine)
	cut := 0
	if k > most {
		k, cut = most, (most-1)*perLine // the last line keeps room for the ellipsis
	}
	h := base + float32(k)*line
	if p.level == 0 {
		h = max(h, m.side)
	}
	return h, cut
}

// wrappedLines is how many lines text takes when wrapped at perLine
// characters, word by word.
func wrappedLines(text string, perLine int) int {
	if perLine < 10 {
		perLine = 10
	}
	lines, col := 1, 0
	for _, w := range strings.Fields(text) {
		n := utf8.RuneCountInString(w)
		switch {
		case col == 0:
			col = n
		case col+1+n <= perLine:
			col += 1 + n
		default:
			lines++
			col = n
		}
		for col > perLine { // a word longer than a line breaks
			lines++
			col -= perLine
		}
	}
	return lines
}

func headingStyle(level int) widget.RichTextStyle {
	st := widget.RichTextStyle{Inline: true, TextStyle: fyne.TextStyle{Bold: true}}
	if level <= 1 {
		st.SizeName = theme.SizeNameSubHeadingText
	}
	return st
}

// draftRow is one paragraph or heading of the list: the number in the
// margin, the text, and beside it the status and how many amendments it
// has. It embeds BaseWidget and calls ExtendBaseWidget on itself, so the
// real driver finds it in the canvas tree as the row the list holds.
type draftRow struct {
	widget.BaseWidget
	number    *widget.Label
	numberBox *fyne.Container // the number, in a margin wide enough for "OP12 ter"
	status    *badge
	count     *canvas.Text
	side      *fyne.Container
	text      *widget.RichText

	para *shownPara
}

func newDraftRow() *draftRow {
	r := &draftRow{number: widget.NewLabel(""), status: newBadge(), count: canvas.NewText("", theme.Color(theme.ColorNameForeground))}
	r.number.TextStyle.Bold = true
	margin := canvas.NewRectangle(color.Transparent)
	margin.SetMinSize(fyne.NewSize(fyne.MeasureText("OP12 ter", theme.TextSize(), fyne.TextStyle{Bold: true}).Width+2*theme.InnerPadding(), 0))
	r.numberBox = container.NewStack(margin, container.NewVBox(r.number))
	r.count.TextSize = theme.CaptionTextSize()
	r.count.TextStyle.Italic = true
	r.count.Alignment = fyne.TextAlignCenter
	pad := theme.InnerPadding()
	r.side = container.New(layout.NewCustomPaddedLayout(pad, 0, 0, 0),
		container.NewVBox(container.NewHBox(layout.NewSpacer(), r.status.content), r.count))
	r.text = widget.NewRichText()
	r.text.Wrapping = fyne.TextWrapWord
	r.ExtendBaseWidget(r)
	return r
}

func (r *draftRow) show(u *UI, p *shownPara) {
	r.para = p
	if p.level > 0 {
		r.numberBox.Hide()
		r.side.Hide()
		r.text.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: p.text, Style: headingStyle(p.level)}}
		r.text.Refresh()
		return
	}
	r.numberBox.Show()
	r.side.Show()
	r.number.SetText(p.number)
	r.status.set(u, p.status)
	r.count.Color = theme.Color(theme.ColorNameForeground)
	switch {
	case p.amendments == 1:
		r.count.Text = lang.L("1 amendment")
	case p.amendments > 1:
		r.count.Text = lang.L("{{.N}} amendments", map[string]any{"N": p.amendments})
	default:
		r.count.Text = ""
	}
	r.count.Refresh()
	if p.status == app.StatusDeleted {
		r.text.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: delOpen + p.text + delClose, Style: delStyle}}
	} else {
		r.text.Segments = bracketSegments(p.text, plainStyle)
	}
	r.text.Segments = cutSegments(r.text.Segments, p.cut)
	r.text.Refresh()
}

// cutSegments keeps the first n characters of segs, and an ellipsis; all
// of them when n is 0.
func cutSegments(segs []widget.RichTextSegment, n int) []widget.RichTextSegment {
	if n <= 0 {
		return segs
	}
	for i, seg := range segs {
		ts := seg.(*widget.TextSegment)
		runes := []rune(ts.Text)
		if len(runes) < n {
			n -= len(runes)
			continue
		}
		last := *ts
		last.Text = string(runes[:n]) + "…"
		return append(segs[:i:i], &last)
	}
	return segs
}

func (r *draftRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, r.numberBox, r.side, r.text))
}

// probeText is how the probe names the row: number, status and the start
// of the text.
func (r *draftRow) probeText() string {
	if r.para == nil {
		return ""
	}
	if r.para.level > 0 {
		return clip(r.para.text, 80)
	}
	return clip(r.para.number+" · "+r.status.word.Text+" · "+r.para.text, 80)
}
