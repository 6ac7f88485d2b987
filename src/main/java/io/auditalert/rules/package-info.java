/**
 * The rule language (DESIGN §3.3): {@link io.auditalert.rules.RuleLoader} reads rules files into a
 * {@link io.auditalert.rules.RuleSet} of {@link io.auditalert.rules.CompiledRule}s, compiled once into
 * predicate trees and indexed by record type and key; {@link io.auditalert.rules.RuleSet#evaluate}
 * runs them on an event with a per-thread {@link io.auditalert.rules.EvalScratch}, reading fields
 * lazily and without copies. Owns parsing, compiling and evaluating rules, output templates and
 * {@link io.auditalert.rules.Redactor}; it does not own throttling state, alert JSON, threads or sinks
 * (the alert stage does), and never modifies an event.
 */
package io.auditalert.rules;
