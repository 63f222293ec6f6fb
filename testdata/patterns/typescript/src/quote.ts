import type { PricingSettings } from './config';

export interface LineItem {
  sku: string;
  quantity: number;
  unitPrice: number;
}

/** A price quote for a customer's basket. */
export class Quote {
  readonly createdAt = new Date();
  total = 0;
  private readonly notes: string[] = [];

  constructor(
    readonly id: number,
    readonly items: LineItem[],
    private settings: PricingSettings,
  ) {
    this.recompute();
  }

  /** Prices the quote again under new settings. */
  reprice(settings: PricingSettings): void {
    this.settings = settings;
    this.recompute();
    this.notes.push(`repriced in ${settings.currency}`);
  }

  private recompute(): void {
    const net = this.items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);
    this.total = Math.round(net * (1 + this.settings.taxRate) * 100) / 100;
  }
}

/** The basket of request i, as a client would send it. */
export function basketFor(i: number): LineItem[] {
  return [
    { sku: `SKU-${i % 97}`, quantity: 1 + (i % 3), unitPrice: 19.99 },
    { sku: `SKU-${(i * 7) % 89}`, quantity: 2, unitPrice: 4.5 },
  ];
}
