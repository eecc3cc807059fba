package desktop

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/assets"
)

// uiKeys are the strings the code passes to lang.L.
func uiKeys(t *testing.T) []string {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`lang\.L\(("(?:[^"\\]|\\.)*")`)
	var keys []string
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllSubmatch(src, -1) {
			k, err := strconv.Unquote(string(m[1]))
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	if len(keys) < 50 {
		t.Fatalf("found only %d strings; is the pattern still right?", len(keys))
	}
	return keys
}

// TestTranslationsComplete fails when a string of the UI is missing, or
// empty, in any of the four languages.
func TestTranslationsComplete(t *testing.T) {
	keys := uiKeys(t)
	placeholder := regexp.MustCompile(`\{\{\.[A-Za-z]+\}\}`)
	for _, l := range app.Languages {
		b, err := assets.Translations.ReadFile("translations/" + string(l) + ".json")
		if err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s.json: %v", l, err)
		}
		for _, k := range keys {
			v, ok := m[k]
			if !ok || v == "" {
				t.Errorf("%s.json lacks %q", l, k)
				continue
			}
			if !slices.Equal(placeholder.FindAllString(k, -1), placeholder.FindAllString(v, -1)) {
				t.Errorf("%s.json: %q changes the placeholders of %q", l, v, k)
			}
		}
		for k := range m {
			if !slices.Contains(keys, k) {
				t.Errorf("%s.json has %q, which the UI no longer uses", l, k)
			}
		}
	}
}
