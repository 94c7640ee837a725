#!/usr/bin/env node
// A committed shim, so the `firewall` bin exists (and is executable) before the TypeScript build has run.
import '../dist/main.js';
