// Package assets embeds the wizard's style sheets and images and serves them
// under content-hashed names, so browsers may cache them for a year and still
// never use a stale copy after an upgrade.
package assets

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"
)

//go:embed css js
var files embed.FS

var hashed = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ext := path.Ext(p)
		m[p] = strings.TrimSuffix(p, ext) + "." + hex.EncodeToString(sum[:6]) + ext
		return nil
	})
	return m
})

// Path returns the address of the asset name (such as "css/site.css")
// including its content hash. It panics on an unknown name, which the
// layout tests catch.
func Path(name string) string {
	h, ok := hashed()[name]
	if !ok {
		panic("assets: no asset " + name)
	}
	return "/assets/" + h
}

// Handler serves the assets under /assets/ by their hashed names.
func Handler() http.Handler {
	byHashed := map[string]string{}
	for orig, h := range hashed() {
		byHashed[h] = orig
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		orig, ok := byHashed[strings.TrimPrefix(r.URL.Path, "/assets/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		b, _ := files.ReadFile(orig)
		switch path.Ext(orig) {
		case ".css":
			w.Header().Set("Content-Type", "text/css; charset=utf-8")
		case ".js":
			w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		}
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		w.Write(b)
	})
}

// Read returns the content of the asset name (such as "css/runbook.css"),
// for documents that carry their style sheet inside them.
func Read(name string) ([]byte, error) { return files.ReadFile(name) }
