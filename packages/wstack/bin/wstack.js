#!/usr/bin/env node
// The wstack command, as npm links it: the CLI is built into dist/ (a file that exists before the build, so that installing never warns of a missing bin).
import '../dist/cli/main.js';
