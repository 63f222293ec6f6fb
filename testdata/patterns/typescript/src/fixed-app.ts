import { config, type PricingSettings } from './config';
import { Quote, basketFor, type LineItem } from './quote';

/** A quote kept current while its request is in flight. */
export interface LiveQuote {
  quote: Quote;
  close(): void;
}

/** Creates quotes that stay current when the pricing settings change. */
export class QuoteService {
  createQuote(id: number, items: LineItem[]): LiveQuote {
    const quote = new Quote(id, items, config.current);
    const onChange = (settings: PricingSettings) => {
      quote.reprice(settings);
    };
    config.on('change', onChange);
    return { quote, close: () => config.off('change', onChange) };
  }
}

const service = new QuoteService();

/** Handles one request: quote the basket and answer with the total. */
export function step(i: number): { id: number; total: number } {
  const live = service.createQuote(i, basketFor(i));
  try {
    return { id: live.quote.id, total: live.quote.total };
  } finally {
    live.close();
  }
}

export function setup(): void {
  config.setMaxListeners(0);
}
