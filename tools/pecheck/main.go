// Command pecheck reads the resources of a Windows executable and checks
// them: the version information (VS_VERSIONINFO), the application icon
// (RT_GROUP_ICON and its RT_ICON images), the manifest and the subsystem.
// make dist runs it on consulta.exe, so that what tools/winres wrote
// (through github.com/josephspurrier/goversioninfo) is read back by code
// that did not write it: debug/pe for the file, and the resource formats
// read here from Microsoft's documentation of them.
//
//	pecheck -version 0.1.0.1 -name Consulta -gui dist/consulta.exe
package main

import (
	"debug/pe"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	version := flag.String("version", "", "the file and product version the executable must carry (MAJOR.MINOR.PATCH.BUILD)")
	name := flag.String("name", "", "the product name it must carry")
	gui := flag.Bool("gui", false, "require the GUI subsystem (-H windowsgui): no console on double-click")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: pecheck [-version V] [-name N] [-gui] FILE.exe")
		os.Exit(2)
	}
	if err := check(os.Stdout, flag.Arg(0), *version, *name, *gui); err != nil {
		fmt.Fprintln(os.Stderr, "pecheck:", err)
		os.Exit(1)
	}
}

// check reads path, writes what it found to w and returns an error for
// each expectation it does not meet.
func check(w io.Writer, path, wantVersion, wantName string, wantGUI bool) error {
	f, err := pe.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var errs []error
	subsystem := uint16(0)
	if oh, ok := f.OptionalHeader.(*pe.OptionalHeader64); ok {
		subsystem = oh.Subsystem
	}
	fmt.Fprintf(w, "%s: machine %#x, subsystem %s\n", path, f.Machine, map[uint16]string{
		pe.IMAGE_SUBSYSTEM_WINDOWS_GUI: "windows GUI", pe.IMAGE_SUBSYSTEM_WINDOWS_CUI: "console"}[subsystem])
	if wantGUI && subsystem != pe.IMAGE_SUBSYSTEM_WINDOWS_GUI {
		errs = append(errs, fmt.Errorf("subsystem %d, want the GUI subsystem (link with -H windowsgui)", subsystem))
	}
	rs, err := resources(f)
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	count := map[uint32]int{}
	for _, r := range rs {
		count[r.typ]++
	}
	var vi *versionInfo
	for _, r := range rs {
		if r.typ != rtVersion {
			continue
		}
		v, err := parseVersion(r.data)
		if err != nil {
			errs = append(errs, fmt.Errorf("version resource: %w", err))
			continue
		}
		vi = &v
	}
	switch {
	case vi == nil:
		errs = append(errs, errors.New("no version resource"))
	default:
		fmt.Fprintf(w, "  version: file %s, product %s\n", vi.fileVersion, vi.productVersion)
		for _, k := range []string{"ProductName", "FileDescription", "FileVersion", "ProductVersion", "OriginalFilename", "InternalName", "Comments"} {
			if v, ok := vi.strings[k]; ok {
				fmt.Fprintf(w, "  %-16s %s\n", k+":", v)
			}
		}
		if wantVersion != "" {
			for what, got := range map[string]string{"fixed file version": vi.fileVersion, "fixed product version": vi.productVersion,
				"FileVersion": vi.strings["FileVersion"], "ProductVersion": vi.strings["ProductVersion"]} {
				if got != wantVersion {
					errs = append(errs, fmt.Errorf("%s is %q, want %q", what, got, wantVersion))
				}
			}
		}
		if wantName != "" && vi.strings["ProductName"] != wantName {
			errs = append(errs, fmt.Errorf("ProductName is %q, want %q", vi.strings["ProductName"], wantName))
		}
	}
	groups, err := groupIcons(rs)
	switch {
	case err != nil:
		errs = append(errs, err)
	case len(groups) == 0:
		errs = append(errs, errors.New("no icon (RT_GROUP_ICON)"))
	default:
		var sizes []string
		for _, ic := range groups[0] {
			sizes = append(sizes, fmt.Sprintf("%dx%d %s", ic.width, ic.height, ic.format))
		}
		fmt.Fprintf(w, "  icon:    %s\n", strings.Join(sizes, ", "))
	}
	if count[rtManifest] == 0 {
		errs = append(errs, errors.New("no application manifest"))
	} else {
		for _, r := range rs {
			if r.typ == rtManifest && wantVersion != "" && !strings.Contains(string(r.data), `version="`+wantVersion+`"`) {
				errs = append(errs, fmt.Errorf("the manifest does not name version %s", wantVersion))
			}
		}
		fmt.Fprintf(w, "  manifest: present\n")
	}
	return errors.Join(errs...)
}
