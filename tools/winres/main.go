// Command winres writes the Windows resources of consulta.exe, as `fyne
// package -os windows` would, from FyneApp.toml: the icon (from Details.Icon,
// at 16, 24, 32, 48, 64 and 256 pixels), the version information
// (Details.Version and Build as the file and product version, the name, the
// Linux comment as Comments) and an application manifest, into a .syso
// object file that `go build` links into the main package beside it.
//
//	go run ./tools/winres -out rsrc_windows_amd64.syso   # what make dist does
//	go run ./tools/winres -print version                 # 0.1.0, for file names
//
// It uses the library `fyne package` uses (github.com/josephspurrier/
// goversioninfo), so that `go build` from Make gives the same resources as
// the fyne tool, with flags of our own (-H windowsgui, the source revision).
package main

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/josephspurrier/goversioninfo"
	"golang.org/x/image/draw"
)

// fyneApp is what is read of FyneApp.toml.
type fyneApp struct {
	Details struct {
		Icon    string
		Name    string
		ID      string
		Version string
		Build   int
	}
	LinuxAndBSD struct {
		GenericName string
		Comment     string
	}
}

func main() {
	tomlPath := flag.String("toml", "FyneApp.toml", "the FyneApp.toml to read")
	out := flag.String("out", "", "the .syso file to write (name it *_windows_ARCH.syso so only Windows builds link it)")
	arch := flag.String("arch", "amd64", "the GOARCH of the object file")
	print := flag.String("print", "", "print one value of FyneApp.toml instead: version, build, fileversion, name, id, icon, comment, genericname")
	flag.Parse()
	if err := run(*tomlPath, *out, *arch, *print); err != nil {
		fmt.Fprintln(os.Stderr, "winres:", err)
		os.Exit(1)
	}
}

func run(tomlPath, out, arch, print string) error {
	var f fyneApp
	if _, err := toml.DecodeFile(tomlPath, &f); err != nil {
		return err
	}
	d := f.Details
	if d.Version == "" || d.Name == "" || d.Icon == "" {
		return fmt.Errorf("%s: Details needs Name, Version and Icon", tomlPath)
	}
	if d.Build <= 0 {
		d.Build = 1 // as fyne package does
	}
	fv, err := fileVersion(d.Version, d.Build)
	if err != nil {
		return err
	}
	if print != "" {
		v, ok := map[string]string{
			"version": d.Version, "build": fmt.Sprint(d.Build), "fileversion": fv.GetVersionString(),
			"name": d.Name, "id": d.ID, "icon": d.Icon, "comment": f.LinuxAndBSD.Comment,
			"genericname": f.LinuxAndBSD.GenericName,
		}[print]
		if !ok {
			return fmt.Errorf("-print %s: not a value this tool knows", print)
		}
		fmt.Println(v)
		return nil
	}
	if out == "" {
		return fmt.Errorf("say where to write the .syso with -out")
	}
	tmp, err := os.MkdirTemp("", "winres")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	icoPath := filepath.Join(tmp, "icon.ico")
	if err := writeICO(filepath.Join(filepath.Dir(tomlPath), d.Icon), icoPath); err != nil {
		return err
	}
	manifestPath := filepath.Join(tmp, "app.manifest")
	if err := os.WriteFile(manifestPath, []byte(manifest(d.ID, fv.GetVersionString())), 0o644); err != nil {
		return err
	}

	exe := strings.ToLower(d.Name)
	vi := &goversioninfo.VersionInfo{
		IconPath:     icoPath,
		ManifestPath: manifestPath,
		FixedFileInfo: goversioninfo.FixedFileInfo{
			FileVersion: fv, ProductVersion: fv,
			FileFlagsMask: "3f", FileOS: "040004", FileType: "01", // VOS_NT_WINDOWS32, VFT_APP
		},
		StringFileInfo: goversioninfo.StringFileInfo{
			ProductName:      d.Name,
			FileDescription:  d.Name, // Task Manager shows it as the process's name
			Comments:         f.LinuxAndBSD.Comment,
			InternalName:     exe,
			OriginalFilename: exe + ".exe",
			FileVersion:      fv.GetVersionString(),
			ProductVersion:   fv.GetVersionString(),
		},
		// U.S. English, Unicode: the language-neutral choice tools expect.
		VarFileInfo: goversioninfo.VarFileInfo{Translation: goversioninfo.Translation{LangID: 0x0409, CharsetID: 0x04B0}},
	}
	vi.Build()
	vi.Walk()
	return vi.WriteSyso(out, arch)
}

// fileVersion is "MAJOR.MINOR.PATCH.BUILD" from FyneApp.toml's version and
// build, as fyne package makes it (combinedVersion).
func fileVersion(version string, build int) (goversioninfo.FileVersion, error) {
	parts := strings.Split(strings.SplitN(strings.SplitN(version, "-", 2)[0], "+", 2)[0], ".")
	for len(parts) < 3 {
		parts = append(parts, "0")
	}
	if len(parts) > 3 {
		return goversioninfo.FileVersion{}, fmt.Errorf("version %q: want MAJOR.MINOR.PATCH", version)
	}
	return goversioninfo.NewFileVersion(strings.Join(parts, ".") + "." + fmt.Sprint(build))
}

// manifest is fyne package's application manifest (its
// templates/data/app.manifest), naming the app and its version.
func manifest(id, version string) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<assembly xmlns="urn:schemas-microsoft-com:asm.v1" manifestVersion="1.0" xmlns:asmv3="urn:schemas-microsoft-com:asm.v3">
<assemblyIdentity version="` + version + `" processorArchitecture="*" name="` + id + `" type="win32"/>
</assembly>
`
}

// icoSizes are the sizes Windows picks from: lists, the taskbar, Explorer.
var icoSizes = []int{16, 24, 32, 48, 64, 256}

// writeICO writes the PNG at src as an .ico holding it at icoSizes, each a
// PNG (Windows Vista and later read those). github.com/fyne-io/image/ico,
// which fyne package uses, writes a single image, too large for a list
// view; the format is a 6-byte header and a 16-byte entry per image.
func writeICO(src, dst string) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	var pngs [][]byte
	for _, s := range icoSizes {
		dst := image.NewNRGBA(image.Rect(0, 0, s, s))
		draw.CatmullRom.Scale(dst, dst.Bounds(), img, img.Bounds(), draw.Src, nil)
		var b bytes.Buffer
		if err := png.Encode(&b, dst); err != nil {
			return err
		}
		pngs = append(pngs, b.Bytes())
	}
	var b bytes.Buffer
	le := binary.LittleEndian
	b.Write(le.AppendUint16(nil, 0))
	b.Write(le.AppendUint16(nil, 1)) // an icon
	b.Write(le.AppendUint16(nil, uint16(len(pngs))))
	offset := 6 + 16*len(pngs)
	for i, p := range pngs {
		wh := byte(icoSizes[i] % 256) // 256 is written 0
		b.Write([]byte{wh, wh, 0, 0})
		b.Write(le.AppendUint16(nil, 1))  // colour planes
		b.Write(le.AppendUint16(nil, 32)) // bits per pixel
		b.Write(le.AppendUint32(nil, uint32(len(p))))
		b.Write(le.AppendUint32(nil, uint32(offset)))
		offset += len(p)
	}
	for _, p := range pngs {
		b.Write(p)
	}
	return os.WriteFile(dst, b.Bytes(), 0o644)
}
