"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.Quote = void 0;
exports.basketFor = basketFor;
/** A price quote for a customer's basket. */
class Quote {
    id;
    items;
    settings;
    createdAt = new Date();
    total = 0;
    notes = [];
    constructor(id, items, settings) {
        this.id = id;
        this.items = items;
        this.settings = settings;
        this.recompute();
    }
    /** Prices the quote again under new settings. */
    reprice(settings) {
        this.settings = settings;
        this.recompute();
        this.notes.push(`repriced in ${settings.currency}`);
    }
    recompute() {
        const net = this.items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);
        this.total = Math.round(net * (1 + this.settings.taxRate) * 100) / 100;
    }
}
exports.Quote = Quote;
/** The basket of request i, as a client would send it. */
function basketFor(i) {
    return [
        { sku: `SKU-${i % 97}`, quantity: 1 + (i % 3), unitPrice: 19.99 },
        { sku: `SKU-${(i * 7) % 89}`, quantity: 2, unitPrice: 4.5 },
    ];
}
//# sourceMappingURL=quote.js.map