package main

import (
	"bytes"
	"debug/pe"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	_ "image/png"
	"unicode/utf16"
)

// Resource types (winuser.h).
const (
	rtIcon      = 3
	rtGroupIcon = 14
	rtVersion   = 16
	rtManifest  = 24
)

// resource is one leaf of the resource tree: a type, an id, a language and
// its bytes.
type resource struct {
	typ, id, lang uint32
	data          []byte
}

// resources reads every resource of the PE file f, walking the three
// levels (type, name, language) of the .rsrc directory that the optional
// header's resource data directory points to. Named entries (a string
// instead of an id) are read with id 0: Consulta's have none.
func resources(f *pe.File) ([]resource, error) {
	var dd pe.DataDirectory
	switch oh := f.OptionalHeader.(type) {
	case *pe.OptionalHeader64:
		if len(oh.DataDirectory) > pe.IMAGE_DIRECTORY_ENTRY_RESOURCE {
			dd = oh.DataDirectory[pe.IMAGE_DIRECTORY_ENTRY_RESOURCE]
		}
	case *pe.OptionalHeader32:
		if len(oh.DataDirectory) > pe.IMAGE_DIRECTORY_ENTRY_RESOURCE {
			dd = oh.DataDirectory[pe.IMAGE_DIRECTORY_ENTRY_RESOURCE]
		}
	default:
		return nil, errors.New("no optional header: not an executable")
	}
	if dd.VirtualAddress == 0 || dd.Size == 0 {
		return nil, errors.New("no resources")
	}
	// The section holding the directory; data entries give RVAs into it.
	var sec *pe.Section
	for _, s := range f.Sections {
		if dd.VirtualAddress >= s.VirtualAddress && dd.VirtualAddress < s.VirtualAddress+max(s.VirtualSize, s.Size) {
			sec = s
		}
	}
	if sec == nil {
		return nil, fmt.Errorf("no section holds the resource directory at %#x", dd.VirtualAddress)
	}
	raw, err := sec.Data()
	if err != nil {
		return nil, err
	}
	base := dd.VirtualAddress - sec.VirtualAddress
	if int(base) >= len(raw) {
		return nil, errors.New("the resource directory lies outside its section's data")
	}
	dir := raw[base:]
	rva := func(addr, size uint32) ([]byte, error) {
		off := int64(addr) - int64(sec.VirtualAddress)
		if off < 0 || off+int64(size) > int64(len(raw)) {
			return nil, fmt.Errorf("resource data at %#x+%d lies outside %s", addr, size, sec.Name)
		}
		return raw[off : off+int64(size)], nil
	}
	var out []resource
	var walk func(off uint32, depth int, path [3]uint32) error
	walk = func(off uint32, depth int, path [3]uint32) error {
		if depth > 2 || int(off)+16 > len(dir) {
			return fmt.Errorf("a resource directory at %#x is out of bounds", off)
		}
		le := binary.LittleEndian
		n := int(le.Uint16(dir[off+12:])) + int(le.Uint16(dir[off+14:]))
		for i := range n {
			e := off + 16 + uint32(i)*8
			if int(e)+8 > len(dir) {
				return errors.New("a resource entry is out of bounds")
			}
			name, to := le.Uint32(dir[e:]), le.Uint32(dir[e+4:])
			if name&(1<<31) != 0 {
				name = 0 // named, not numbered
			}
			path[depth] = name
			if to&(1<<31) != 0 {
				if err := walk(to&^(1<<31), depth+1, path); err != nil {
					return err
				}
				continue
			}
			if depth != 2 || int(to)+16 > len(dir) {
				return fmt.Errorf("a resource leaf at depth %d", depth)
			}
			data, err := rva(le.Uint32(dir[to:]), le.Uint32(dir[to+4:]))
			if err != nil {
				return err
			}
			out = append(out, resource{typ: path[0], id: path[1], lang: path[2], data: data})
		}
		return nil
	}
	return out, walk(0, 0, [3]uint32{})
}

// versionInfo is what is read of a VS_VERSIONINFO resource.
type versionInfo struct {
	fileVersion, productVersion string            // from VS_FIXEDFILEINFO
	strings                     map[string]string // StringFileInfo's first table
}

// block is one node of VS_VERSIONINFO: a length, a value length, a type
// (1: text), a UTF-16 key, a value and children, each 32-bit aligned.
type block struct {
	key      string
	text     bool
	value    []byte
	children []block
}

func align4(n int) int { return (n + 3) &^ 3 }

// parseBlock reads the block at off in b and returns it and where it ends.
func parseBlock(b []byte, off int) (block, int, error) {
	le := binary.LittleEndian
	if off+6 > len(b) {
		return block{}, 0, errors.New("version block truncated")
	}
	length, vlen, typ := int(le.Uint16(b[off:])), int(le.Uint16(b[off+2:])), le.Uint16(b[off+4:])
	end := off + length
	if length < 6 || end > len(b) {
		return block{}, 0, fmt.Errorf("version block at %d has length %d", off, length)
	}
	p := off + 6
	var key []uint16
	for ; p+1 < end; p += 2 {
		c := le.Uint16(b[p:])
		if c == 0 {
			p += 2
			break
		}
		key = append(key, c)
	}
	blk := block{key: string(utf16.Decode(key)), text: typ == 1}
	p = align4(p)
	size := vlen
	if blk.text {
		size = 2 * vlen // in words
	}
	if p+size > end {
		return block{}, 0, fmt.Errorf("the value of %q runs past its block", blk.key)
	}
	blk.value = b[p : p+size]
	p = align4(p + size)
	for p < end {
		c, cend, err := parseBlock(b, p)
		if err != nil {
			return block{}, 0, err
		}
		blk.children = append(blk.children, c)
		p = align4(cend)
	}
	return blk, end, nil
}

// utf16String decodes a NUL-terminated little-endian UTF-16 value.
func utf16String(b []byte) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		c := binary.LittleEndian.Uint16(b[i:])
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	return string(utf16.Decode(u))
}

// parseVersion reads a VS_VERSIONINFO resource.
func parseVersion(b []byte) (versionInfo, error) {
	root, _, err := parseBlock(b, 0)
	if err != nil {
		return versionInfo{}, err
	}
	if root.key != "VS_VERSION_INFO" {
		return versionInfo{}, fmt.Errorf("the version resource's key is %q", root.key)
	}
	le := binary.LittleEndian
	if len(root.value) < 52 || le.Uint32(root.value) != 0xFEEF04BD {
		return versionInfo{}, errors.New("no VS_FIXEDFILEINFO (signature 0xFEEF04BD)")
	}
	four := func(ms, ls uint32) string {
		return fmt.Sprintf("%d.%d.%d.%d", ms>>16, ms&0xffff, ls>>16, ls&0xffff)
	}
	v := versionInfo{
		fileVersion:    four(le.Uint32(root.value[8:]), le.Uint32(root.value[12:])),
		productVersion: four(le.Uint32(root.value[16:]), le.Uint32(root.value[20:])),
		strings:        map[string]string{},
	}
	for _, c := range root.children {
		if c.key != "StringFileInfo" || len(c.children) == 0 {
			continue
		}
		for _, s := range c.children[0].children {
			v.strings[s.key] = utf16String(s.value)
		}
	}
	return v, nil
}

// icon is one image of the group icon.
type icon struct {
	width, height int // as decoded from the image itself
	format        string
}

// groupIcons reads each RT_GROUP_ICON and decodes the RT_ICON images it
// names.
func groupIcons(rs []resource) ([][]icon, error) {
	byID := map[uint32][]byte{}
	for _, r := range rs {
		if r.typ == rtIcon {
			byID[r.id] = r.data
		}
	}
	var groups [][]icon
	le := binary.LittleEndian
	for _, r := range rs {
		if r.typ != rtGroupIcon {
			continue
		}
		b := r.data
		if len(b) < 6 || le.Uint16(b[2:]) != 1 {
			return nil, errors.New("a group icon without the GRPICONDIR header of an icon")
		}
		var g []icon
		for i := range int(le.Uint16(b[4:])) {
			e := 6 + 14*i
			if e+14 > len(b) {
				return nil, errors.New("a group icon entry is truncated")
			}
			size, id := le.Uint32(b[e+8:]), uint32(le.Uint16(b[e+12:]))
			data, ok := byID[id]
			if !ok {
				return nil, fmt.Errorf("the group icon names icon %d, which is missing", id)
			}
			if uint32(len(data)) != size {
				return nil, fmt.Errorf("icon %d is %d bytes, the group says %d", id, len(data), size)
			}
			if !bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")) {
				// A BMP icon: BITMAPINFOHEADER, twice the height (image and mask).
				if len(data) < 40 || le.Uint32(data) != 40 {
					return nil, fmt.Errorf("icon %d is neither PNG nor BMP", id)
				}
				g = append(g, icon{width: int(int32(le.Uint32(data[4:]))), height: int(int32(le.Uint32(data[8:]))) / 2, format: "bmp"})
				continue
			}
			cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
			if err != nil {
				return nil, fmt.Errorf("icon %d: %w", id, err)
			}
			g = append(g, icon{width: cfg.Width, height: cfg.Height, format: "png"})
		}
		groups = append(groups, g)
	}
	return groups, nil
}
