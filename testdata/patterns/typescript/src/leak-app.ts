import { config, type PricingSettings } from './config';
import { Quote, basketFor, type LineItem } from './quote';

/** Creates quotes that stay current when the pricing settings change. */
export class QuoteService {
  createQuote(id: number, items: LineItem[]): Quote {
    const quote = new Quote(id, items, config.current);
    config.on('change', (settings: PricingSettings) => {
      quote.reprice(settings);
    });
    return quote;
  }
}

const service = new QuoteService();

/** Handles one request: quote the basket and answer with the total. */
export function step(i: number): { id: number; total: number } {
  const quote = service.createQuote(i, basketFor(i));
  return { id: quote.id, total: quote.total };
}

export function setup(): void {
  config.setMaxListeners(0);
}
