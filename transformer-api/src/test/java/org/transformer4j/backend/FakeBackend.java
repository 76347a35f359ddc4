package org.transformer4j.backend;

import java.util.List;

/** A backend defined by the tests: fixed name, priority, capabilities and availability; opening is not needed. */
class FakeBackend implements Backend {
    private final String name;
    private final int priority;
    private final Capabilities capabilities;
    private final Availability availability;

    FakeBackend(String name, int priority, boolean trains, Availability availability) {
        this.name = name;
        this.priority = priority;
        this.capabilities = new Capabilities(trains, true, List.of("cpu"));
        this.availability = availability;
    }

    static FakeBackend available(String name, int priority) {
        return new FakeBackend(name, priority, true, Availability.yes());
    }

    static FakeBackend inferOnly(String name, int priority) {
        return new FakeBackend(name, priority, false, Availability.yes());
    }

    static FakeBackend unavailable(String name, int priority, String reason) {
        return new FakeBackend(name, priority, true, Availability.no(reason));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int priority() {
        return priority;
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    @Override
    public Availability availability() {
        return availability;
    }

    @Override
    public Engine open(EngineOptions options) {
        throw new UnsupportedOperationException("fake backend '" + name + "' opens no engine");
    }
}
