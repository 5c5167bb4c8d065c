import type { DomainEvent, DomainEventType, EventOf } from './domain-events.js';

/** Reacts to one type of domain event. */
export type EventHandler<T extends DomainEventType> = (event: EventOf<T>) => void | Promise<void>;

type AnyHandler = (event: DomainEvent) => void | Promise<void>;

/**
 * A typed, in-process event bus. `publish` runs the handlers in subscription order and
 * awaits each one, so a publisher that awaits it knows the reactions are done (a model
 * change has reached the indexes before the PUT answers). Every handler runs even if an
 * earlier one fails; the first failure is then rethrown to the publisher.
 */
export class EventBus {
  private readonly handlers = new Map<DomainEventType, AnyHandler[]>();

  /** Subscribes `handler` to events of `type`; returns a function that unsubscribes it. */
  on<T extends DomainEventType>(type: T, handler: EventHandler<T>): () => void {
    const list = this.handlers.get(type) ?? [];
    // Sound: publish only hands a handler the events of the type it subscribed to.
    const any = handler as unknown as AnyHandler;
    list.push(any);
    this.handlers.set(type, list);
    return () => {
      const at = list.indexOf(any);
      if (at >= 0) list.splice(at, 1);
    };
  }

  async publish(event: DomainEvent): Promise<void> {
    let failure: { error: unknown } | undefined;
    for (const handler of [...(this.handlers.get(event.type) ?? [])]) {
      try {
        await handler(event);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }
}
