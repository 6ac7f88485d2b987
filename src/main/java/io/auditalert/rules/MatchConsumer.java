package io.auditalert.rules;

import io.auditalert.assemble.AuditEvent;

/** Receives each rule that matched an event and was not excepted, in rule order, on the worker thread. */
@FunctionalInterface
public interface MatchConsumer {
    void match(CompiledRule rule, AuditEvent event);
}
