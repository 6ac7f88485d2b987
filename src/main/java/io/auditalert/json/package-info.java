/**
 * JSON output: writes events (DESIGN §3.4) and alerts as UTF-8 JSON lines straight from event slots
 * into reusable byte buffers. Knows the shapes; knows nothing of how events were assembled.
 */
package io.auditalert.json;
