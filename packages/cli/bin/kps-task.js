#!/usr/bin/env node
import "../dist/bundle/kps-task.js"
