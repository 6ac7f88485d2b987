/**
 * Event assembly: groups records into events by node, timestamp and serial with libauparse's rules
 * (EOE, last-record types, timeout, bounded in-flight events). Owns the recycled {@link
 * io.auditalert.assemble.AuditEvent} slots and their byte buffers; copies each record line once into
 * its slot and never looks at field values beyond what completion needs.
 */
package io.auditalert.assemble;
