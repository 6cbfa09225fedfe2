// The layer table of shared/DESIGN.md as data, and the ESLint rule that enforces it: every import
// (static, dynamic, re-export, require) is checked against the importing file's layer. A forbidden
// import fails `npm run lint` with a message naming both layers.
import { builtinModules } from 'node:module';
import { dirname, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const NODE_BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/**
 * Layers by source folder (longest prefix wins). `may`: source folders this layer may import.
 * `packages`: 'node' (builtins) and npm packages it may import; '*' means any package not in `forbidPackages`.
 */
export const LAYERS = {
  'src/shared': { may: ['src/shared'], packages: ['zod'] },
  'src/engine/core': { may: ['src/shared', 'src/engine/core', 'package.json'], packages: ['node'] },
  'src/engine/ir': { may: ['src/engine/core', 'src/engine/ir'], packages: ['node'] },
  'src/engine/onnx': { may: ['src/engine/core', 'src/engine/ir', 'src/engine/onnx'], packages: ['node'] },
  'src/engine/autodiff': { may: ['src/engine/core', 'src/engine/ir', 'src/engine/autodiff'], packages: ['node'] },
  'src/engine': { may: ['src/shared', 'src/engine', 'package.json'], packages: ['*'], forbidPackages: ['electron', 'svelte', 'd3'] },
  'src/cli': { may: ['src/shared', 'src/engine', 'src/cli', 'package.json'], packages: ['*'], forbidPackages: ['svelte', 'd3'] },
  'src/main': { may: ['src/shared', 'src/main'], packages: ['node', 'electron'] },
  'src/preload': { may: ['src/shared', 'src/preload'], packages: ['electron'] },
  'src/renderer': { may: ['src/shared', 'src/renderer'], packages: ['svelte', 'd3', 'zod'] },
};

/** Packages exactly one engine folder may import (DESIGN.md: the only importer of ...). */
export const OWNED_PACKAGES = {
  'onnxruntime-node': 'src/engine/runtime',
  'better-sqlite3': 'src/engine/store',
};

function layerOf(file) {
  const rel = relative(root, file).split('\\').join('/');
  const key = Object.keys(LAYERS)
    .filter((k) => rel === k || rel.startsWith(`${k}/`))
    .sort((a, b) => b.length - a.length)[0];
  return key;
}

function folderOf(path) {
  const rel = relative(root, path).split('\\').join('/');
  if (rel === 'package.json') return 'package.json';
  return ['src/shared', 'src/engine/core', 'src/engine/ir', 'src/engine/onnx', 'src/engine/autodiff', 'src/engine', 'src/cli', 'src/main', 'src/preload', 'src/renderer']
    .find((k) => rel === k || rel.startsWith(`${k}/`)) ?? rel;
}

function within(folder, allowed) {
  return allowed.some((a) => folder === a || folder.startsWith(`${a}/`));
}

function packageName(spec) {
  if (NODE_BUILTINS.has(spec)) return 'node';
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Returns why `spec` may not be imported from `file`, or null when it may. */
export function violation(file, spec) {
  const layer = layerOf(file);
  if (!layer) return null;
  const rules = LAYERS[layer];
  if (spec.startsWith('.') || spec.startsWith('/')) {
    const target = resolve(dirname(file), spec);
    const folder = folderOf(target);
    if (within(folder, rules.may) || within(relative(root, target), rules.may)) return null;
    return `${layer} may not import ${folder} (allowed: ${rules.may.join(', ')})`;
  }
  const pkg = packageName(spec);
  const owner = OWNED_PACKAGES[pkg];
  if (owner && !relative(root, file).startsWith(`${owner}/`)) return `only ${owner} may import ${pkg}`;
  if (rules.forbidPackages?.includes(pkg)) return `${layer} may not import ${pkg}`;
  if (rules.packages.includes('*') || rules.packages.includes(pkg)) return null;
  return `${layer} may not import ${pkg === 'node' ? `Node built-in '${spec}'` : `package '${pkg}'`} (allowed: ${rules.packages.join(', ')})`;
}

function check(context, node, source) {
  if (!source || typeof source.value !== 'string') return;
  const why = violation(context.filename, source.value);
  if (why) context.report({ node: source, message: `Layer boundary: ${why}. See shared/DESIGN.md "The shape".` });
}

export const layerRule = {
  meta: { type: 'problem', docs: { description: 'Enforce the layer table of DESIGN.md' }, schema: [] },
  create(context) {
    return {
      ImportDeclaration: (node) => check(context, node, node.source),
      ExportNamedDeclaration: (node) => check(context, node, node.source),
      ExportAllDeclaration: (node) => check(context, node, node.source),
      ImportExpression: (node) => check(context, node, node.source),
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require') check(context, node, node.arguments[0]);
      },
    };
  },
};
