// Sends identify, track, page, screen, group and alias calls through the official Segment
// library for Node.js (@segment/analytics-node), its host set to a Puls server.
// Usage: node segment_node.mjs HOST WRITE_KEY PREFIX; exits 1 when the library reports an error.
import { Analytics } from '@segment/analytics-node'

const [host, writeKey, p] = process.argv.slice(2)
const analytics = new Analytics({ writeKey, host, flushAt: 20, flushInterval: 10000, maxRetries: 2 })
let failures = 0
analytics.on('error', (err) => { failures++; console.error('error:', err?.reason?.message ?? err) })
const done = (err) => { if (err) { failures++; console.error('callback error:', err?.reason?.message ?? err) } }

analytics.identify({ userId: `${p}-1`, traits: { email: `${p}@example.com`, name: 'Ala Kowalska',
  plan: 'pro', age: 34, vip: true, city: 'Łódź', created_at: new Date('2024-01-15T10:30:00Z') } }, done)
analytics.track({ userId: `${p}-1`, event: 'Order Completed',
  properties: { revenue: 129.5, currency: 'PLN', platform: 'web' },
  timestamp: new Date('2026-11-20T09:15:00Z') }, done)
analytics.page({ anonymousId: `${p}-anon`, name: 'Checkout', category: 'Shop', properties: { path: '/checkout' } }, done)
analytics.track({ anonymousId: `${p}-anon`, event: 'Product Viewed', properties: { platform: 'web' } }, done)
analytics.identify({ userId: `${p}-2`, anonymousId: `${p}-anon`, traits: { email: `${p}-2@example.com` } }, done)
analytics.screen({ userId: `${p}-2`, name: 'Home', category: 'App' }, done)
analytics.group({ userId: `${p}-2`, groupId: 'g-1', traits: { name: 'Acme Sp. z o.o.' } }, done)
analytics.alias({ previousId: `${p}-anon`, userId: `${p}-2` }, done)
await analytics.closeAndFlush({ timeout: 30000 })
process.exit(failures ? 1 : 0)
