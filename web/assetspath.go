package web

import "github.com/secex/wizard/assets"

func assetsPath(name string) string { return assets.Path(name) }
