// Package deploy holds no code: its directory keeps the Docker Compose
// gateway config and the Kubernetes manifests, and its tests check that
// they, the Dockerfile and the gateway's defaults agree, and that the
// built binary starts with the compose file's configuration.
package deploy
