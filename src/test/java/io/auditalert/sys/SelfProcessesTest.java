package io.auditalert.sys;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SelfProcessesTest {
    /** Above the kernel's largest pid_max (2^22): no process has it. */
    private static final long NONE = 5_000_000;

    @Test
    void shouldKnowThisProcessItsChildrenAndWhatAStartedCommandStarts() throws Exception {
        // a helper's exec sink ran sh, sh ran a program a rule watched: its alert ran sh again, 29 times
        Process command = new ProcessBuilder("/bin/sleep", "30").start();
        try {
            SelfProcesses s = new SelfProcesses(ProcessHandle.current().pid());
            assertThat(s.isOwn(s.self(), 1)).isTrue();
            assertThat(s.isOwn(NONE, s.self())).as("a child of this JVM").isTrue();
            assertThat(s.isOwn(NONE + 1, 1)).as("nothing of ours").isFalse();
            s.started(command.pid());
            assertThat(s.isOwn(command.pid(), s.self())).isTrue();
            assertThat(s.isOwn(NONE + 2, command.pid())).as("what the command started").isTrue();
            assertThat(s.isOwn(NONE + 3, NONE + 2)).as("and what that started").isTrue();
            assertThat(s.isOwn(NONE + 2, 1)).as("later, re-parented to init: still known by its pid").isTrue();
            assertThat(s.isOwn(NONE + 4, 1)).isFalse();
        } finally {
            command.destroyForcibly();
        }
    }

    @Test
    void shouldForgetAProcessGoneForLongEnoughAndAPidGivenToAnotherProcess() throws Exception {
        Process command = new ProcessBuilder("/bin/sleep", "30").start();
        Process other = new ProcessBuilder("/bin/sleep", "30").start();
        try {
            SelfProcesses s = new SelfProcesses(ProcessHandle.current().pid());
            s.started(command.pid());
            assertThat(s.isOwn(NONE, command.pid())).isTrue(); // known, and never alive: gone from the start
            command.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            long now = System.nanoTime();
            s.check(now);
            assertThat(s.isOwn(command.pid(), 1)).as("its last events may still come").isTrue();
            assertThat(s.size()).isEqualTo(2);
            s.check(now + SelfProcesses.KEEP_AFTER_EXIT_NANOS + 1);
            assertThat(s.size()).as("both gone for longer than the grace").isZero();
            assertThat(s.isOwn(command.pid(), 1)).isFalse();

            // a pid remembered for one process, running another now (what pid reuse looks like)
            s.started(other.pid());
            assertThat(s.size()).isEqualTo(1);
            s.check(System.nanoTime());
            assertThat(s.size()).as("still the same process").isEqualTo(1);
        } finally {
            command.destroyForcibly();
            other.destroyForcibly();
        }
    }

    @Test
    void shouldForgetAPidThatAnotherProcessHasNow() {
        SelfProcesses s = new SelfProcesses(ProcessHandle.current().pid());
        // pid 1 remembered with another start time: what a pid the kernel gave to a new process looks like
        s.remember(1, java.time.Instant.EPOCH);
        assertThat(s.size()).isEqualTo(1);
        s.check(System.nanoTime());
        assertThat(s.isOwn(1, 0)).as("init is not ours").isFalse();
        assertThat(s.size()).isZero();
    }

    @Test
    void shouldNotLetAPidGivenToAnotherProcessPassOwnershipOn() throws Exception {
        // a review: the sink's command exited, its pid went to an attacker's process before the next check;
        // that process's events were skipped, and a child it forked was remembered for good
        Process attacker = new ProcessBuilder("/bin/sleep", "30").start();
        Process attackersChild = new ProcessBuilder("/bin/sleep", "30").start();
        try {
            SelfProcesses s = new SelfProcesses(ProcessHandle.current().pid());
            s.remember(NONE, java.time.Instant.EPOCH);
            s.isOwn(NONE + 9, 1); // the check every 5 s runs now: the next one is far
            s.remember(attacker.pid(), java.time.Instant.EPOCH); // the command's start time, not the attacker's
            assertThat(s.isOwn(attacker.pid(), 1)).isFalse();
            assertThat(s.isOwn(attackersChild.pid(), attacker.pid())).isFalse();
            assertThat(s.isOwn(attackersChild.pid(), 1)).as("not learned").isFalse();
        } finally {
            attacker.destroyForcibly();
            attackersChild.destroyForcibly();
        }
    }

    @Test
    void shouldNotTakeAProcessThatStartedAfterTheEventForItsActor() throws Exception {
        // the child of one of ours exited, and its pid went to another process before its event was read
        Process later = new ProcessBuilder("/bin/sleep", "30").start();
        try {
            SelfProcesses s = new SelfProcesses(ProcessHandle.current().pid());
            long eventMillis = System.currentTimeMillis() - 60_000; // the event is a minute older than the process
            assertThat(s.isOwn(later.pid(), s.self(), eventMillis)).as("the event itself is ours").isTrue();
            assertThat(s.isOwn(later.pid(), 1)).as("the process now under that pid is not").isFalse();
        } finally {
            later.destroyForcibly();
        }
    }

    @Test
    void shouldRememberANewChildUnderAPidAnEarlierOneOfOursHad() throws Exception {
        // the pid of a command of ours that ended went to the next one: the old entry must not hide it
        Process command = new ProcessBuilder("/bin/sleep", "30").start();
        try {
            SelfProcesses s = new SelfProcesses(ProcessHandle.current().pid());
            s.remember(command.pid(), java.time.Instant.EPOCH); // the earlier process under this pid
            s.started(command.pid()); // the sink started the new one
            assertThat(s.isOwn(command.pid(), 1)).isTrue();
            assertThat(s.isOwn(NONE + 11, command.pid())).as("its child").isTrue();
        } finally {
            command.destroyForcibly();
        }
    }

    @Test
    void shouldNotTakeEventsNewerThanACommandsExitForItsOrItsChildrens() throws Exception {
        // a review: a command of an exec sink exited; a user forked until the kernel gave them its pid, started
        // a payload from that process and let it exit. The payload's events showed the old pid as parent, and
        // the payload and all it started were never evaluated
        SelfProcesses s = new SelfProcesses(ProcessHandle.current().pid());
        Process command = new ProcessBuilder("/bin/sleep", "30").start();
        s.started(command.pid());
        long whileItRan = System.currentTimeMillis();
        command.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        s.exited(command.pid()); // what the sink reports once the command is reaped
        long afterItsExit = System.currentTimeMillis() + 1;

        assertThat(s.isOwn(NONE + 21, command.pid(), afterItsExit)).as("a child shown by a newer event").isFalse();
        assertThat(s.isOwn(command.pid(), 1, afterItsExit)).as("the pid's own newer event").isFalse();
        assertThat(s.isOwn(NONE + 21, 1, afterItsExit)).as("not learned").isFalse();
        // its own events that come late, and its children's, are still its
        assertThat(s.isOwn(NONE + 22, command.pid(), whileItRan)).isTrue();
        assertThat(s.isOwn(command.pid(), 1, whileItRan)).isTrue();
    }

    @Test
    void shouldBoundAGoneDescendantByWhenItWasFoundGone() throws Exception {
        SelfProcesses s = new SelfProcesses(ProcessHandle.current().pid());
        Process command = new ProcessBuilder("/bin/sleep", "30").start();
        try {
            s.started(command.pid());
            long t0 = System.currentTimeMillis();
            // a child the command started (NONE: no process has that pid, so it is found gone at once)
            assertThat(s.isOwn(NONE + 31, command.pid(), t0)).isTrue();
            long later = System.currentTimeMillis() + 1;
            assertThat(s.isOwn(NONE + 32, NONE + 31, t0)).as("its child, in an event from while it ran").isTrue();
            assertThat(s.isOwn(NONE + 33, NONE + 31, later)).as("a child shown by a newer event").isFalse();
        } finally {
            command.destroyForcibly();
        }
    }

    @Test
    void shouldBoundADescendantThatExitedBetweenChecksByWhenItWasLastSeenRunning() throws Exception {
        // a review of the first bound: a child of the command, found gone only when an event named it, was
        // taken as gone "now", so an event from the attacker who got its pid in between still passed as ours
        SelfProcesses s = new SelfProcesses(ProcessHandle.current().pid());
        Process command = new ProcessBuilder("/bin/sleep", "30").start();
        Process child = new ProcessBuilder("/bin/sleep", "30").start(); // stands for the command's child C
        try {
            s.started(command.pid());
            long t0 = System.currentTimeMillis();
            assertThat(s.isOwn(child.pid(), command.pid(), t0)).as("C, learned while it runs").isTrue();
            child.destroyForcibly().waitFor(5, TimeUnit.SECONDS); // C exits and is reaped: its pid is free
            Thread.sleep(50);
            long attackersEvent = System.currentTimeMillis();
            Thread.sleep(50);
            assertThat(s.isOwn(NONE + 51, child.pid(), attackersEvent))
                    .as("an event newer than C was last seen running, showing C's pid as parent").isFalse();
            assertThat(s.isOwn(NONE + 52, child.pid(), t0)).as("C's own child, from while it ran").isTrue();
        } finally {
            command.destroyForcibly();
            child.destroyForcibly();
        }
    }
}
