/** A concept as the model body declares it: the visual dictionary entry. */
export interface ConceptDefinition {
  id: string;
  description: string;
  includes: string[];
  excludes: string[];
}

export interface FmnistConcept extends ConceptDefinition {
  /** Fashion-MNIST label index. */
  label: number;
  /** Whether the concept is in the "professional" training set or only appears in production. */
  role: 'known' | 'held-out';
}

/**
 * The ten Fashion-MNIST classes. Three are held out, chosen to span what new
 * production data looks like: `bag` is unlike anything known (a clean new
 * region), `ankle-boot` sits next to `sneaker` and `sandal`, and `shirt` hides
 * among `tshirt`, `pullover` and `coat` (mostly a confident mistake).
 */
export const FMNIST_CONCEPTS: readonly FmnistConcept[] = [
  {
    label: 0, id: 'tshirt', role: 'known',
    description: 'Short-sleeved T-shirt or top, seen flat from the front.',
    includes: ['crew and V necks', 'short sleeves', 'sleeveless tops', 'printed fronts'],
    excludes: ['collared button-down shirts (shirt)', 'long-sleeved knitwear (pullover)'],
  },
  {
    label: 1, id: 'trouser', role: 'known',
    description: 'Full-length trousers or jeans, both legs visible.',
    includes: ['jeans', 'chinos', 'leggings', 'track pants'],
    excludes: ['shorts', 'skirts and dresses (dress)'],
  },
  {
    label: 2, id: 'pullover', role: 'known',
    description: 'Long-sleeved knitted or fleece top without a front opening.',
    includes: ['jumpers', 'sweaters', 'sweatshirts', 'hoodies without a zip'],
    excludes: ['anything opening down the front (coat, shirt)', 'short sleeves (tshirt)'],
  },
  {
    label: 3, id: 'dress', role: 'known',
    description: 'One-piece dress, shoulders to hem.',
    includes: ['short and long dresses', 'strapped and sleeved dresses'],
    excludes: ['separate tops and skirts', 'coats of dress length (coat)'],
  },
  {
    label: 4, id: 'coat', role: 'known',
    description: 'Outerwear that opens down the front: coats, jackets, parkas.',
    includes: ['zipped and buttoned jackets', 'parkas', 'blazers'],
    excludes: ['pullovers', 'collared shirts (shirt)'],
  },
  {
    label: 5, id: 'sandal', role: 'known',
    description: 'Open shoe held by straps, seen from the side.',
    includes: ['flat and heeled sandals', 'strappy heels', 'flip-flops'],
    excludes: ['closed trainers (sneaker)', 'boots (ankle-boot)'],
  },
  {
    label: 6, id: 'shirt', role: 'held-out',
    description: 'Collared shirt or blouse with buttons down the front.',
    includes: ['button-down shirts', 'blouses', 'flannel shirts'],
    excludes: ['collarless T-shirts (tshirt)', 'knitwear (pullover)', 'outer jackets (coat)'],
  },
  {
    label: 7, id: 'sneaker', role: 'known',
    description: 'Low closed sports shoe or trainer, seen from the side.',
    includes: ['running shoes', 'canvas trainers', 'slip-ons'],
    excludes: ['open shoes (sandal)', 'boots covering the ankle (ankle-boot)'],
  },
  {
    label: 8, id: 'bag', role: 'held-out',
    description: 'Handbag, backpack or tote.',
    includes: ['handbags', 'shoulder bags', 'backpacks', 'clutches'],
    excludes: ['garments and shoes'],
  },
  {
    label: 9, id: 'ankle-boot', role: 'held-out',
    description: 'Boot that covers the ankle, heeled or flat.',
    includes: ['Chelsea boots', 'heeled ankle boots', 'lace-up boots'],
    excludes: ['low trainers (sneaker)', 'open shoes (sandal)'],
  },
];

export const KNOWN_CONCEPTS = FMNIST_CONCEPTS.filter((c) => c.role === 'known');
export const HELD_OUT_CONCEPTS = FMNIST_CONCEPTS.filter((c) => c.role === 'held-out');

export function conceptForLabel(label: number): FmnistConcept {
  const concept = FMNIST_CONCEPTS.find((c) => c.label === label);
  if (!concept) throw new Error(`Fashion-MNIST: unknown label ${label}`);
  return concept;
}

/** Index of a Fashion-MNIST label among the known concepts (the CNN's output order), or -1. */
export function knownIndexOfLabel(label: number): number {
  return KNOWN_CONCEPTS.findIndex((c) => c.label === label);
}
