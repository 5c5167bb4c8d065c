import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { oneAtATime, type TurnEnv } from '../../src/http/one-at-a-time.js';

/** A gate a handler waits on, opened by the test. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('ingestion is serialised per model, not across models', () => {
  function app(gates: Map<string, { opened: Promise<void> }>, order: string[]) {
    const a = new Hono();
    a.use('/v1/models/:model/predictions', oneAtATime((c) => c.req.param('model') ?? ''));
    a.post('/v1/models/:model/predictions', async (c) => {
      const id = c.req.query('id')!;
      await gates.get(id)?.opened;
      order.push(id);
      return c.text('ok');
    });
    return a;
  }

  it("when one model's batches are in progress, then another model's batch is not held behind them", async () => {
    const gates = new Map(['a1', 'a2', 'a3', 'a4'].map((id) => [id, gate()]));
    const order: string[] = [];
    const a = app(gates, order);
    const big = ['a1', 'a2', 'a3', 'a4'].map((id) => a.request(`/v1/models/A/predictions?id=${id}`, { method: 'POST' }));
    const small = await a.request('/v1/models/B/predictions?id=b1', { method: 'POST' });
    expect(await small.text()).toBe('ok');
    expect(order).toEqual(['b1']);
    for (const g of gates.values()) g.open();
    await Promise.all(big);
    expect(order).toEqual(['b1', 'a1', 'a2', 'a3', 'a4']);
  });

  it('when batches of one model arrive together, then they still run one at a time in arrival order', async () => {
    const gates = new Map(['a1', 'a2'].map((id) => [id, gate()]));
    const order: string[] = [];
    const a = app(gates, order);
    const first = a.request('/v1/models/A/predictions?id=a1', { method: 'POST' });
    const second = a.request('/v1/models/A/predictions?id=a2', { method: 'POST' });
    gates.get('a2')!.open();
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([]);
    gates.get('a1')!.open();
    await Promise.all([first, second]);
    expect(order).toEqual(['a1', 'a2']);
  });

  it('when a batch ends its turn early, then the next batch of its model starts before it is answered', async () => {
    const stored = gate();
    const order: string[] = [];
    const a = new Hono<TurnEnv>();
    a.use('/v1/models/:model/predictions', oneAtATime((c) => c.req.param('model') ?? ''));
    a.post('/v1/models/:model/predictions', async (c) => {
      const id = c.req.query('id')!;
      order.push(`${id} scored`);
      if (id === 'a1') {
        c.get('endTurn')?.();
        await stored.opened;
      }
      order.push(`${id} stored`);
      return c.text('ok');
    });
    const first = a.request('/v1/models/A/predictions?id=a1', { method: 'POST' });
    const second = await a.request('/v1/models/A/predictions?id=a2', { method: 'POST' });
    expect(await second.text()).toBe('ok');
    stored.open();
    expect(await (await first).text()).toBe('ok');
    expect(order).toEqual(['a1 scored', 'a2 scored', 'a2 stored', 'a1 stored']);
  });
});
