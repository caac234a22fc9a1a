package samplelogs

import (
	"hash/fnv"
	"time"
)

// The format files (sample-logs/formats/): one small log per supported
// format besides Cloudflare's, each a site with its own trouble. This file
// is their manifest; the builders are grouped by format family:
// formats_nginx.go, formats_apache.go, formats_proxy.go (Caddy, Traefik),
// formats_cloudfront.go, formats_container.go (Docker, CRI), all on the
// siteLog builder of formats_site.go.

// formatFile is one small file of another supported format.
type formatFile struct {
	file  File
	build func(seed uint64, base time.Time) (*fileOut, error)
}

var formatFiles = []formatFile{
	{File{Name: "formats/nginx-combined.log", Format: "combined",
		Description: "nginx combined (no host: origin is the file). A 504 storm on POST /api/v2/search; 202 exports without Location linked POST->GET /api/v2/exports/{id}, two stuck pending."},
		buildNginxCombined},
	{File{Name: "formats/apache-common.log", Format: "common",
		Description: "Apache common (no agent, no host). 202 jobs polled at /jobs/{id}: two status records vanish (404)."},
		buildApacheCommon},
	{File{Name: "formats/apache-vhost_combined.log", Format: "vhost_combined",
		Description: "Apache vhost_combined for www/docs.example.org. A 502 storm on www.example.org; report polls rejected with 429."},
		buildApacheVhost},
	{File{Name: "formats/apache-custom.log", Format: "apache:" + ApacheCustomFormat,
		Description: "Apache custom LogFormat with %{Location}o for billing.example.org: render jobs never polled."},
		buildApacheCustom},
	{File{Name: "formats/caddy.log", Format: "json",
		Description: "Caddy JSON access log for files.example.net: conversion status reads failing with 503."},
		buildCaddy},
	{File{Name: "formats/traefik.log", Format: "json",
		Description: "Traefik JSON access log for orders.example.net: a 502 storm from one of its two backends."},
		buildTraefik},
	{File{Name: "formats/nginx-json.log", Format: "json",
		Description: "nginx log_format escape=json for media.example.net: transcode jobs whose clients gave up polling."},
		buildNginxJSON},
	{File{Name: "formats/cloudfront-E2EXAMPLE7QZ1.2026-11-20-09.log", Format: "cloudfront",
		Description: "AWS CloudFront standard log for assets.example.org: a 504 storm on a new, cold image whose origin fetch times out."},
		buildCloudFront},
	{File{Name: "formats/docker-json.log", Format: "docker+combined", Container: "docker",
		Description: "nginx combined lines wrapped by Docker's json-file driver: thumbnail polls cut by the client (499)."},
		buildDocker},
	{File{Name: "formats/cri-ingress.log", Format: "cri+combined", Container: "cri",
		Description: "ingress-nginx lines (combined plus upstream fields) wrapped by the CRI log format: exports never polled."},
		buildCRI},
}

// idNum derives a small deterministic number from a request id, for
// details (ports, PoPs) that only need to vary.
func idNum(id string, mod int) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % uint32(mod))
}
