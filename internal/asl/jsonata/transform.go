package jsonata

// evalTransform builds the function a transform expression |pattern|
// update, delete| evaluates to: it clones its argument and applies the
// update and delete to every match of the pattern.
func (c *evalCtx) evalTransform(n *node, e *env) any {
	f := &nativeFn{name: "transform", arity: 1, params: []string{"obj"}}
	f.sig, _ = parseSignature("<(oa):o>")
	f.impl = func(c *evalCtx, _ *callInfo, args []any) (any, error) {
		obj := argAt(args, 0)
		if isUndef(obj) {
			return undefined, nil
		}
		cloneFn := c.lookup(e, "clone")
		if !isFunc(cloneFn) {
			return nil, newErr("T2013", n.pos)
		}
		result, err := c.apply(cloneFn, []any{obj}, undefined, e)
		if err != nil {
			return nil, err
		}
		matches, err := c.eval(n.pattern, result, e)
		if err != nil {
			return nil, err
		}
		if isUndef(matches) {
			return result, nil
		}
		for _, m := range listOf(matches) {
			if err := c.transformOne(n, m, e); err != nil {
				return nil, err
			}
		}
		return result, nil
	}
	return f
}

func (c *evalCtx) transformOne(n *node, match any, e *env) error {
	update, err := c.eval(n.update, match, e)
	if err != nil {
		return err
	}
	obj, _ := match.(*object)
	if !isUndef(update) {
		if !isObject(update) {
			return newErr("T2011", n.update.pos).withValue(update)
		}
		if obj != nil {
			for _, k := range objKeys(update) {
				v, _ := objGet(update, k)
				obj.set(k, v)
			}
		}
	}
	if n.del == nil {
		return nil
	}
	dels, err := c.eval(n.del, match, e)
	if err != nil || isUndef(dels) {
		return err
	}
	list := listOf(dels)
	for _, d := range list {
		if _, ok := d.(string); !ok {
			return newErr("T2012", n.del.pos).withValue(dels)
		}
	}
	if obj != nil {
		for _, d := range list {
			obj.del(d.(string))
		}
	}
	return nil
}
