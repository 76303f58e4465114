import { describe, expect, it } from 'vitest';
import { createCleanupStack } from '../../src/core/cleanup.js';

describe('cleanup stack', () => {
  it('releases in reverse order, once, and reports what failed', async () => {
    const order: string[] = [];
    const stack = createCleanupStack();
    stack.defer('image', () => Promise.resolve(order.push('image')));
    stack.defer('container', () => Promise.reject(new Error('gone')));
    stack.defer('http', () => Promise.resolve(order.push('http')));
    expect(stack.pending()).toEqual(['image', 'container', 'http']);
    const [first, second] = await Promise.all([stack.dispose(), stack.dispose()]);
    expect(first).toEqual(['container']);
    expect(second).toBe(first);
    expect(order).toEqual(['http', 'image']);
    expect(stack.pending()).toEqual([]);
  });
});
