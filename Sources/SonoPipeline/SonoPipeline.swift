// SonoPipeline module: see the README's architecture section.
