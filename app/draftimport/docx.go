package draftimport

// Reading a Word document (.docx).
//
// Why encoding/xml and not a library. github.com/gomutex/godocx, which
// app/export writes DOCX with, can open a document (packager.Unpack), but it
// refuses every file LibreOffice writes: its attribute types accept only the
// values they list, LibreOffice aligns paragraphs with <w:jc w:val="start"/>,
// and opening stops at "invalid Justification value" (all four fixtures
// under testdata; the stypes package has some seventy such checks). It also
// needs word/_rels/document.xml.rels to be there. Where it does open a file,
// its paragraph reader keeps only w:r children, so the words inside
// hyperlinks, tracked insertions (w:ins), content controls (w:sdt) and smart
// tags are dropped without a sign ("Véase <hyperlink>el informe</hyperlink>
// fin" reads "Véase  fin"). Its maintained fork github.com/ubavic/godocx
// reads paragraphs the same way. github.com/fumiama/go-docx is AGPL-3.0 and
// skips w:ins and w:sdt too; unioffice needs a commercial licence;
// github.com/tsawler/tabula is a text-extraction library for retrieval
// (PDF, spreadsheets, slides) that opens files only by path and returns a
// page of bounding boxes.
//
// What a zero draft needs from WordprocessingML is small and stable: each
// w:p with its style (w:pStyle), outline level and numbering, the text of
// its w:t, w:tab and w:br, and the styles' names, bases and outline levels.
// So this file streams word/document.xml with encoding/xml, descending into
// every wrapper it does not know (hyperlinks, insertions, content controls,
// fields, smart tags, custom XML) so no word is lost, and skipping only what
// is not the document's text: deletions, field codes, drawings and text
// boxes, the Fallback of alternate content, and revision marks' old
// properties.
//
// What is left out, each with a warning for Preview: the Subtitle paragraph,
// a table of contents, table header rows, text boxes and shapes with text,
// deleted text of tracked changes, and footnotes and endnotes (their parts
// are not read; the draft's paragraphs keep no reference marks). Headers,
// footers and comments are left out without a word: they are not the text.
// Tables are read row by row, each cell's paragraphs in order (see
// flushRow), since a table in a zero draft is usually its paragraphs laid
// out beside their numbers.
//
// Which paragraphs are headings. A paragraph's style is looked up in
// word/styles.xml: its name ("Title", "Subtitle", "heading 1" as Word
// writes it, "Heading 1" as LibreOffice does, or a LibreOffice style of the
// author's named "Título 1"), else its id ("Heading1"; "Ttulo1" in Spanish
// and Portuguese Word, "Titre1" in French), else the outline level in its
// paragraph properties, else the style it is based on. An outline level set
// on the paragraph itself wins: LibreOffice writes one for a heading whose
// style is not a Heading style.

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// maxPartSize bounds one XML part once unpacked, so that a small file that
// unpacks to gigabytes (a zip bomb) is refused rather than read. It is five
// times MaxSize: text compresses about that well, and a draft's XML is far
// smaller still.
const maxPartSize = 100 << 20

func readDOCX(file string, data []byte) (*Outline, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fail(file, Damaged, err, "it looks like a Word document or a zip archive, but it is damaged or incomplete "+
			"and cannot be opened (was it fully downloaded or copied?)")
	}
	parts := make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		// Part names are case-insensitive in the packaging format, and
		// some tools write backslashes.
		name := strings.ToLower(strings.TrimPrefix(strings.ReplaceAll(f.Name, `\`, "/"), "/"))
		if _, dup := parts[name]; !dup {
			parts[name] = f
		}
	}
	if f := parts["mimetype"]; f != nil {
		if b, err := readPart(f, 200); err == nil && bytes.Contains(b, []byte("opendocument")) {
			return nil, fail(file, Unsupported, nil, "it is an OpenDocument file (.odt), not a Word document; "+
				"open it in LibreOffice, save it as Word (.docx), and import that")
		}
	}
	if parts["xl/workbook.xml"] != nil {
		return nil, fail(file, NotDOCX, nil, "it is a spreadsheet (.xlsx), not a Word document")
	}
	if parts["ppt/presentation.xml"] != nil {
		return nil, fail(file, NotDOCX, nil, "it is a presentation (.pptx), not a Word document")
	}

	rootRels := readRels(parts, "_rels/.rels")
	main := rootRels.target("", "/officedocument")
	if main == "" || parts[main] == nil {
		main = "word/document.xml"
	}
	if parts[main] == nil {
		return nil, fail(file, NotDOCX, nil, "it is a zip archive but not a Word document: there is no word/document.xml inside")
	}
	docXML, err := readPartChecked(file, parts[main])
	if err != nil {
		return nil, err
	}

	dir := path.Dir(main)
	mainRels := readRels(parts, path.Join(dir, "_rels", path.Base(main)+".rels"))
	stylesName := mainRels.target(dir, "/styles")
	if stylesName == "" {
		stylesName = path.Join(dir, "styles.xml")
	}
	var styles styleSheet
	if f := parts[stylesName]; f != nil {
		if b, err := readPart(f, maxPartSize); err == nil {
			// A damaged style sheet costs the headings, not the text.
			styles, _ = parseStyles(b)
		}
	}

	w := &docxWalker{d: xml.NewDecoder(bytes.NewReader(docXML)), styles: styles}
	if err := w.walk(); err != nil {
		return nil, fail(file, Damaged, err, "the text inside the Word document is damaged and cannot be read; "+
			"open it in Word or LibreOffice, save it again as .docx, and import the new file")
	}

	title := w.title
	if title == "" {
		coreName := rootRels.target("", "/core-properties")
		if coreName == "" {
			coreName = "docprops/core.xml"
		}
		if f := parts[coreName]; f != nil {
			if b, err := readPart(f, 1<<20); err == nil {
				title = coreTitle(b)
			}
		}
	}
	return finish(file, FormatDOCX, title, w.blocks, w.warnings())
}

// readPartChecked reads a part the import cannot do without, with errors
// worded for the delegate.
func readPartChecked(file string, f *zip.File) ([]byte, error) {
	b, err := readPart(f, maxPartSize)
	switch {
	case errors.Is(err, errPartTooLarge):
		return nil, fail(file, TooLarge, err, "its text is too large once unpacked (over %s): "+
			"it may be damaged, or be something other than a draft", megabytes(maxPartSize))
	case err != nil:
		return nil, fail(file, Damaged, err, "the Word document is damaged and its text cannot be unpacked; "+
			"open it in Word or LibreOffice, save it again as .docx, and import the new file")
	}
	return b, nil
}

var errPartTooLarge = errors.New("part too large")

// readPart unpacks one part, at most limit bytes. archive/zip also checks
// that a part is no longer than its header says, so the header's size can
// be trusted for the early refusal.
func readPart(f *zip.File, limit int64) ([]byte, error) {
	if f.UncompressedSize64 > uint64(limit) {
		return nil, errPartTooLarge
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, errPartTooLarge
	}
	return b, nil
}

// rels is a relationships part: which part plays which role.
type rels struct {
	Rel []struct {
		Type       string `xml:"Type,attr"`
		Target     string `xml:"Target,attr"`
		TargetMode string `xml:"TargetMode,attr"`
	} `xml:"Relationship"`
}

func readRels(parts map[string]*zip.File, name string) rels {
	var r rels
	if f := parts[strings.ToLower(name)]; f != nil {
		if b, err := readPart(f, 1<<20); err == nil {
			_ = xml.Unmarshal(b, &r) // no relationships: the usual part names are tried
		}
	}
	return r
}

// target returns the part name (lower case, as the parts map holds it) of
// the first internal relationship whose type ends with suffix, resolved
// against dir. The suffix is compared case-insensitively: LibreOffice writes
// ".../officedocument/2006/relationships/metadata/core-properties".
func (r rels) target(dir, suffix string) string {
	for _, rel := range r.Rel {
		if rel.TargetMode == "External" || !strings.HasSuffix(strings.ToLower(rel.Type), suffix) {
			continue
		}
		t := strings.ReplaceAll(rel.Target, `\`, "/")
		if strings.HasPrefix(t, "/") {
			t = path.Clean(t)
		} else {
			t = path.Clean(path.Join("/", dir, t))
		}
		return strings.ToLower(strings.TrimPrefix(t, "/"))
	}
	return ""
}

func coreTitle(b []byte) string {
	var core struct {
		Title string `xml:"title"`
	}
	if xml.Unmarshal(b, &core) != nil {
		return ""
	}
	return core.Title
}

// paraKind is what a paragraph's style makes of it.
type paraKind int

const (
	kindBody paraKind = iota
	kindHeading
	kindTitle
	kindSubtitle
	kindContents // a table of contents entry or its heading
)

type styleInfo struct {
	name    string
	basedOn string
	outline int // outline level 0–8 from the style's w:pPr, or -1
}

// styleSheet holds the paragraph styles of word/styles.xml by style id.
type styleSheet map[string]styleInfo

func parseStyles(b []byte) (styleSheet, error) {
	var doc struct {
		Styles []struct {
			Type    string `xml:"type,attr"`
			ID      string `xml:"styleId,attr"`
			Name    val    `xml:"name"`
			BasedOn val    `xml:"basedOn"`
			PPr     struct {
				OutlineLvl *val `xml:"outlineLvl"`
			} `xml:"pPr"`
		} `xml:"style"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	s := make(styleSheet, len(doc.Styles))
	for _, st := range doc.Styles {
		if st.Type != "" && st.Type != "paragraph" {
			continue
		}
		info := styleInfo{name: st.Name.Val, basedOn: st.BasedOn.Val, outline: -1}
		if st.PPr.OutlineLvl != nil {
			info.outline = outlineLevel(st.PPr.OutlineLvl.Val)
		}
		s[st.ID] = info
	}
	return s, nil
}

type val struct {
	Val string `xml:"val,attr"`
}

// outlineLevel reads w:outlineLvl: 0–8 are heading levels 1–9, and 9 means
// body text.
func outlineLevel(v string) int {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 9 {
		return -1
	}
	return n
}

// The style names and ids that say what a paragraph is, in lower case. Word
// writes built-in styles' names in English whatever its language ("heading
// 1") but derives the id from the localized name, keeping ASCII letters and
// digits only: "Título 1" becomes "Ttulo1", "Sous-titre" "Sous-titre".
var (
	reHeadingStyle  = regexp.MustCompile(`^(?:heading|título|titulo|ttulo|titre|titolo)\s*([1-9])$`)
	reTitleStyle    = regexp.MustCompile(`^(?:title|título|titulo|ttulo|titre|titolo)$`)
	reSubtitleStyle = regexp.MustCompile(`^(?:subtitle|subtítulo|subtitulo|subttulo|sous-titre|soustitre|sottotitolo)$`)
	reContentsStyle = regexp.MustCompile(`^(?:toc|tdc|tm|contents|índice|indice|ndice|sumário|sumario|sumrio)\s*(?:[1-9]|heading|título|titulo|ttulo)?$|^(?:toc|tdc)\s*(?:heading|título|titulo|ttulo)`)
)

// classify returns what paragraphs of style id are, and a heading's level
// (1–9), following basedOn at most a few steps (style sheets can loop).
func (s styleSheet) classify(id string) (paraKind, int) {
	for hop := 0; hop < 10 && id != ""; hop++ {
		info, known := s[id]
		for _, key := range []string{strings.ToLower(strings.TrimSpace(info.name)), strings.ToLower(id)} {
			if key == "" {
				continue
			}
			if m := reHeadingStyle.FindStringSubmatch(key); m != nil {
				return kindHeading, int(m[1][0] - '0')
			}
			switch {
			case reTitleStyle.MatchString(key):
				return kindTitle, 0
			case reSubtitleStyle.MatchString(key):
				return kindSubtitle, 0
			case reContentsStyle.MatchString(key):
				return kindContents, 0
			}
		}
		if !known {
			break
		}
		if info.outline >= 0 && info.outline <= 8 {
			return kindHeading, info.outline + 1
		}
		if info.outline == 9 {
			break
		}
		id = info.basedOn
	}
	return kindBody, 0
}

// docxWalker streams word/document.xml into raw blocks.
type docxWalker struct {
	d      *xml.Decoder
	styles styleSheet
	blocks []rawBlock
	title  string

	// Tables: paragraphs of the outermost table go into row, cell by cell,
	// and are emitted when the row ends (see flushRow).
	tableDepth int
	row        [][]rawBlock
	rowHeader  bool

	// What was left out or guessed, for warnings().
	tables, headerRows, tracked, boxes, contents int
	numbered, extraTitles, notes                 int
	subtitle                                     string
}

// docxPara is a paragraph being read.
type docxPara struct {
	style    string
	outline  int // the paragraph's own w:outlineLvl, or -1
	numbered bool
	text     strings.Builder
}

func (w *docxWalker) walk() error {
	for {
		tok, err := w.d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "p":
				p, err := w.paragraph()
				if err != nil {
					return err
				}
				w.add(p)
			case "tbl":
				w.tableDepth++
				if w.tableDepth == 1 {
					w.tables++
				}
			case "tr":
				if w.tableDepth == 1 {
					w.row, w.rowHeader = nil, false
				}
			case "trPr":
				if w.tableDepth == 1 {
					h, err := w.rowIsHeader()
					if err != nil {
						return err
					}
					w.rowHeader = h
				}
			case "tc":
				if w.tableDepth == 1 {
					w.row = append(w.row, nil)
				}
			default:
				if skip, counted := skipped(t.Name.Local); skip {
					if err := w.skip(counted); err != nil {
						return err
					}
				}
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "tbl":
				if w.tableDepth == 1 && w.row != nil {
					w.flushRow() // a row left open by a damaged table
				}
				if w.tableDepth > 0 {
					w.tableDepth--
				}
			case "tr":
				if w.tableDepth == 1 {
					w.flushRow()
				}
			}
		}
	}
}

// skipped says whether an element is left out of the text, and whether it
// is a change or box the delegate should hear about.
func skipped(local string) (skip bool, counted string) {
	switch local {
	case "del", "moveFrom":
		return true, "tracked"
	case "drawing", "pict", "object", "txbxContent":
		return true, "box"
	case "Fallback", "instrText", "delText", "delInstrText", "pPrChange", "rPrChange", "sectPrChange",
		"sdtPr", "sdtEndPr", "fldData", "rt", "sym":
		return true, ""
	}
	return false, ""
}

// skip consumes the element just started. For a deletion it counts a
// tracked change; for a drawing it counts a text box if the drawing holds
// any text, since pictures without words lose nothing.
func (w *docxWalker) skip(counted string) error {
	depth, text := 1, false
	for depth > 0 {
		tok, err := w.d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if t.Name.Local == "t" || t.Name.Local == "delText" {
				text = true
			}
		case xml.EndElement:
			depth--
		}
	}
	switch {
	case counted == "tracked":
		w.tracked++
	case counted == "box" && text:
		w.boxes++
	}
	return nil
}

// paragraph reads a w:p whose start tag was just read, up to its end tag.
func (w *docxWalker) paragraph() (*docxPara, error) {
	p := &docxPara{outline: -1}
	depth := 0
	hidden := false
	for {
		tok, err := w.d.Token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "pPr":
				if err := w.paragraphProps(p); err != nil {
					return nil, err
				}
				continue
			case "r":
				hidden = false
			case "rPr":
				h, err := w.runHidden()
				if err != nil {
					return nil, err
				}
				hidden = h
				continue
			case "t":
				s, err := w.chars()
				if err != nil {
					return nil, err
				}
				if !hidden {
					p.text.WriteString(s)
				}
				continue
			case "tab", "ptab", "br", "cr":
				p.text.WriteByte(' ')
			case "noBreakHyphen":
				p.text.WriteByte('-')
			case "ins", "moveTo":
				w.tracked++
			case "footnoteReference", "endnoteReference":
				w.notes++
			default:
				if skip, counted := skipped(t.Name.Local); skip {
					if err := w.skip(counted); err != nil {
						return nil, err
					}
					continue
				}
			}
			depth++
		case xml.EndElement:
			if depth == 0 {
				return p, nil
			}
			depth--
		}
	}
}

// paragraphProps reads w:pPr: the style, the paragraph's own outline level
// and whether the word processor numbers it.
func (w *docxWalker) paragraphProps(p *docxPara) error {
	depth := 0 // inside w:numPr, whose children are read here too
	for {
		tok, err := w.d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "pStyle":
				p.style = attr(t, "val")
			case "outlineLvl":
				p.outline = outlineLevel(attr(t, "val"))
			case "numId":
				if v := attr(t, "val"); v != "" && v != "0" {
					p.numbered = true
				}
			case "numPr":
				depth++
				continue
			}
			// Everything else, including the old properties of a tracked
			// change (pPrChange), is not read.
			if err := w.d.Skip(); err != nil {
				return err
			}
		case xml.EndElement:
			if depth == 0 {
				return nil
			}
			depth--
		}
	}
}

// runHidden reads a run's w:rPr and reports whether it is hidden text
// (w:vanish), which Word does not show or print.
func (w *docxWalker) runHidden() (bool, error) { return w.propertyOn("vanish") }

// rowIsHeader reads a table row's w:trPr: a row repeated as the table's
// header on each page (w:tblHeader) holds column titles, not draft text.
func (w *docxWalker) rowIsHeader() (bool, error) { return w.propertyOn("tblHeader") }

// propertyOn reads the properties element just started (w:rPr, w:trPr)
// and reports whether its on/off property name is on.
func (w *docxWalker) propertyOn(name string) (bool, error) {
	set := false
	for {
		tok, err := w.d.Token()
		if err != nil {
			return false, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == name {
				set = on(attr(t, "val"))
			}
			if err := w.d.Skip(); err != nil {
				return false, err
			}
		case xml.EndElement:
			return set, nil
		}
	}
}

// chars reads the character data of the element just started (a w:t).
func (w *docxWalker) chars() (string, error) {
	var b strings.Builder
	depth := 0
	for {
		tok, err := w.d.Token()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.CharData:
			if depth == 0 {
				b.Write(t)
			}
		case xml.StartElement:
			depth++
		case xml.EndElement:
			if depth == 0 {
				return b.String(), nil
			}
			depth--
		}
	}
}

func attr(t xml.StartElement, local string) string {
	for _, a := range t.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// on reads an OOXML on/off value: absent means on.
func on(v string) bool {
	switch v {
	case "0", "false", "off":
		return false
	}
	return true
}

// add classifies a finished paragraph and files it.
func (w *docxWalker) add(p *docxPara) {
	text := p.text.String()
	if strings.TrimSpace(text) == "" {
		return
	}
	kind, level := w.styles.classify(p.style)
	if kind == kindBody || kind == kindHeading {
		switch {
		case p.outline >= 0 && p.outline <= 8:
			kind, level = kindHeading, p.outline+1
		case p.outline == 9:
			kind = kindBody
		}
	}
	var b rawBlock
	switch kind {
	case kindContents:
		w.contents++
		return
	case kindSubtitle:
		if w.subtitle == "" {
			w.subtitle = cleanText(text)
		}
		return
	case kindTitle:
		if w.title == "" && w.tableDepth == 0 {
			w.title = text
			return
		}
		w.extraTitles++
		b = rawBlock{heading: true, level: 0, text: text}
	case kindHeading:
		b = rawBlock{heading: true, level: level, text: text}
	default:
		if p.numbered {
			w.numbered++
		}
		b = rawBlock{text: text}
	}
	if w.tableDepth > 0 && len(w.row) > 0 {
		last := len(w.row) - 1
		w.row[last] = append(w.row[last], b)
		return
	}
	w.blocks = append(w.blocks, b)
}

// flushRow emits a table row's paragraphs cell by cell. A cell that holds
// nothing but a paragraph label ("1.", "PP3") is the number column of a
// two-column layout: its label is joined to the next cell's first paragraph,
// where finish takes it off again as that paragraph's number.
func (w *docxWalker) flushRow() {
	row := w.row
	w.row = nil
	if w.rowHeader {
		w.headerRows++
		return
	}
	for i := 0; i < len(row); i++ {
		cell := row[i]
		if len(cell) == 1 && !cell[0].heading && i+1 < len(row) && len(row[i+1]) > 0 && !row[i+1][0].heading &&
			isLabelOnly(cleanText(cell[0].text)) {
			row[i+1][0].text = strings.TrimSpace(cell[0].text) + " " + row[i+1][0].text
			continue
		}
		w.blocks = append(w.blocks, cell...)
	}
}

func (w *docxWalker) warnings() []Warning {
	var ws []Warning
	add := func(code string, n int, msg string) {
		if n > 0 {
			ws = append(ws, Warning{Code: code, Count: n, Message: msg})
		}
	}
	add(WarnTableCells, w.tables, plural(w.tables, "table was", "tables were")+" read cell by cell, row by row: check the order of those paragraphs")
	add(WarnTableHeader, w.headerRows, plural(w.headerRows, "table header row was", "table header rows were")+" left out")
	add(WarnTrackedChanges, w.tracked, "the document has tracked changes: they were read as if accepted (insertions kept, deletions left out)")
	add(WarnTextBoxes, w.boxes, plural(w.boxes, "text box or shape with text was", "text boxes or shapes with text were")+" left out")
	add(WarnFootnotes, w.notes, plural(w.notes, "footnote was", "footnotes were")+" left out: add what they say to the paragraphs if it belongs in the draft")
	add(WarnContents, w.contents, "a table of contents ("+plural(w.contents, "line", "lines")+") was left out")
	if w.subtitle != "" {
		add(WarnSubtitle, 1, "the subtitle “"+firstWords(w.subtitle, 12)+"” was left out")
	}
	add(WarnExtraTitle, w.extraTitles, plural(w.extraTitles, "more paragraph", "more paragraphs")+" in the Title style became top-level headings")
	add(WarnListNumbers, w.numbered, plural(w.numbered, "paragraph was", "paragraphs were")+" numbered by the word processor: those numbers are not imported, Consulta numbers paragraphs itself")
	return ws
}
