// Package e2e holds the real-window tests: they start the real cgo binary
// (bin/consulta) under Xvfb, with Fyne's OpenGL driver, and drive it the way
// a person does, with real X input events from xdotool (clicks, double
// clicks, typing, Esc, shortcuts). Fyne's test driver answers
// CanvasForObject for any object; the real driver walks the canvas tree, so
// only these tests catch a widget the tree does not hold.
//
// The app tells the tests where its widgets are through a read-only probe
// (ui/desktop/probe.go, started when CONSULTA_E2E_PROBE names a socket), and
// the tests wait for states the probe reports rather than sleeping. After
// each journey the app is quit with Ctrl+Q and what the store holds is read
// back with the command line. Screenshots of each step go to E2E_OUT (by
// default a temporary directory, printed).
//
// The tests run only when CONSULTA_E2E_BIN names the binary; `make e2e`
// builds it and sets it. They need Xvfb, xdotool, xmodmap and ImageMagick's
// import (.ci/install-deps --test-tools installs them). E2E_SEEDS lists the
// seeds of the random run (default "1 2 3"), E2E_EVENTS its length.
package e2e
